/**
 * The media, retention, URL preview and outbound-address settings of the Node runtime: their rows
 * of the settings table, their part of the config file schema, and how they become config.
 */
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_IP_RANGE_BLOCKLIST, ipRangePolicy } from "../../adapters/node/ip-range-policy.js";
import {
  DEFAULT_MEDIA_CONFIG,
  DEFAULT_THUMBNAIL_SIZES,
  type MediaConfig,
} from "../../services/media/media-config.js";

export type MediaStorageConfig =
  | { kind: "local"; path: string }
  | {
      kind: "s3";
      endpoint: string;
      bucket: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      prefix: string;
    };

export interface NodeMediaConfig {
  media: MediaConfig;
  mediaStorage: MediaStorageConfig;
  /** How often the retention job runs (ms). */
  mediaPurgeIntervalMs: number;
  /** Outbound HTTP (previews now; federation and push later) never connects to these ranges... */
  ipRangeBlocklist: string[];
  /** ...except to these. */
  ipRangeAllowlist: string[];
}

type Kind = "string" | "boolean" | "number" | "list";
const row = (key: string, kind: Kind, help: string) => {
  const name = key.replace(/[._]/g, "-");
  return { key, env: `LATTICE_${key.replace(/\./g, "_").toUpperCase()}`, flag: `--${name}`, kind, help };
};

export const MEDIA_SETTINGS = [
  row("media.max_upload_bytes", "number", "largest media upload in bytes"),
  row("media.max_image_pixels", "number", "images with more pixels are not thumbnailed"),
  row("media.thumbnail_sizes", "list", "thumbnail sizes, e.g. 32x32-crop,320x240-scale"),
  row(
    "media.unauthenticated_media_cutoff_ts",
    "number",
    "media uploaded from this epoch-ms time is not served by the legacy unauthenticated endpoints",
  ),
  row("media.pending_upload_lifetime", "string", "how long a /create reservation waits, e.g. 24h"),
  row("media.max_pending_uploads", "number", "open /create reservations per user"),
  row("media.upload_burst", "number", "uploads a user may make in a burst"),
  row("media.upload_per_second", "number", "uploads per second a user regains"),
  row("media.storage", "string", "local or s3"),
  row("media.path", "string", "folder of local media (default: media/ in the data folder)"),
  row("media.s3.endpoint", "string", "S3 endpoint URL, e.g. https://<account>.r2.cloudflarestorage.com"),
  row("media.s3.bucket", "string", "S3 bucket name"),
  row("media.s3.region", "string", "S3 region (auto for R2)"),
  row("media.s3.access_key_id", "string", "S3 access key ID"),
  row("media.s3.secret_access_key", "string", "S3 secret access key"),
  row("media.s3.prefix", "string", "key prefix of media objects"),
  row(
    "media_retention.local_media_lifetime",
    "string",
    "purge local media not accessed for this long, e.g. 365d; never when unset",
  ),
  row(
    "media_retention.remote_media_lifetime",
    "string",
    "purge cached remote media not accessed for this long, e.g. 90d",
  ),
  row("media_retention.purge_interval", "string", "how often the retention job runs, e.g. 1h"),
  row("url_preview.enabled", "boolean", "serve URL previews (fetches pages for users)"),
  row("url_preview.max_bytes", "number", "largest page or image fetched for a preview"),
  row("url_preview.timeout", "string", "time limit of a preview fetch, e.g. 10s"),
  row("ip_range_blocklist", "list", "comma-separated CIDR ranges outbound HTTP never connects to"),
  row("ip_range_allowlist", "list", "comma-separated CIDR ranges exempt from the blocklist"),
];

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A duration: milliseconds as a number or digits, or `<n><unit>` with unit ms, s, m, h, d, w, y. */
const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const match = /^(\d+)(ms|s|m|h|d|w|y)?$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: "custom", message: "a duration such as 30s, 12h, 90d or milliseconds" });
    return z.NEVER;
  }
  return Number(match[1]) * UNITS[match[2] ?? "ms"]!;
});

const thumbnailSize = z
  .string()
  .regex(/^\d{1,4}x\d{1,4}-(crop|scale)$/, 'WIDTHxHEIGHT-METHOD, e.g. "96x96-crop" or "320x240-scale"');

const positiveInt = z.number().int().positive();

export const mediaFileSchema = {
  media: z
    .object({
      max_upload_bytes: positiveInt.default(DEFAULT_MEDIA_CONFIG.maxUploadBytes),
      max_image_pixels: positiveInt.default(DEFAULT_MEDIA_CONFIG.maxImagePixels),
      thumbnail_sizes: z
        .array(thumbnailSize)
        .min(1)
        .default(DEFAULT_THUMBNAIL_SIZES.map((s) => `${s.width}x${s.height}-${s.method}`)),
      unauthenticated_media_cutoff_ts: z.number().int().nonnegative().default(0),
      pending_upload_lifetime: duration.default(DEFAULT_MEDIA_CONFIG.pendingUploadLifetimeMs),
      max_pending_uploads: positiveInt.default(DEFAULT_MEDIA_CONFIG.maxPendingUploads),
      upload_burst: positiveInt.default(DEFAULT_MEDIA_CONFIG.uploadRateLimit.burst),
      upload_per_second: z.number().positive().default(DEFAULT_MEDIA_CONFIG.uploadRateLimit.perSecond),
      storage: z.enum(["local", "s3"]).default("local"),
      path: z.string().min(1).optional(),
      s3: z
        .object({
          endpoint: z.url({ message: "an http(s) URL" }),
          bucket: z.string().min(1),
          region: z.string().min(1).default("us-east-1"),
          access_key_id: z.string().min(1),
          secret_access_key: z.string().min(1),
          prefix: z.string().default(""),
        })
        .strict()
        .optional(),
    })
    .strict()
    .prefault({}),
  media_retention: z
    .object({
      local_media_lifetime: duration.optional(),
      remote_media_lifetime: duration.optional(),
      purge_interval: duration.default(3_600_000),
    })
    .strict()
    .prefault({}),
  url_preview: z
    .object({
      enabled: z.boolean().default(false),
      max_bytes: positiveInt.default(DEFAULT_MEDIA_CONFIG.urlPreview.maxBytes),
      timeout: duration.default(DEFAULT_MEDIA_CONFIG.urlPreview.timeoutMs),
    })
    .strict()
    .prefault({}),
  ip_range_blocklist: z.array(z.string()).default(DEFAULT_IP_RANGE_BLOCKLIST),
  ip_range_allowlist: z.array(z.string()).default([]),
};

const parsedSchema = z.object(mediaFileSchema);

/** The media part of the config; throws Error naming the key for settings the schema cannot check. */
export function mediaConfigFrom(c: z.infer<typeof parsedSchema>, dataDir: string): NodeMediaConfig {
  ipRangePolicy(c.ip_range_blocklist, c.ip_range_allowlist);
  let mediaStorage: MediaStorageConfig;
  if (c.media.storage === "s3") {
    const s3 = c.media.s3;
    if (!s3)
      throw new Error(
        'media.s3: required when media.storage is "s3" (endpoint, bucket, access_key_id, secret_access_key)',
      );
    mediaStorage = {
      kind: "s3",
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      accessKeyId: s3.access_key_id,
      secretAccessKey: s3.secret_access_key,
      prefix: s3.prefix,
    };
  } else {
    mediaStorage = { kind: "local", path: c.media.path ?? join(dataDir, "media") };
  }
  return {
    media: {
      maxUploadBytes: c.media.max_upload_bytes,
      maxImagePixels: c.media.max_image_pixels,
      thumbnailSizes: c.media.thumbnail_sizes.map((s) => {
        const [, w, h, method] = /^(\d+)x(\d+)-(crop|scale)$/.exec(s) as unknown as [
          string,
          string,
          string,
          "crop" | "scale",
        ];
        return { width: Number(w), height: Number(h), method };
      }),
      unauthenticatedMediaCutoffTs: c.media.unauthenticated_media_cutoff_ts,
      pendingUploadLifetimeMs: c.media.pending_upload_lifetime,
      maxPendingUploads: c.media.max_pending_uploads,
      uploadRateLimit: { burst: c.media.upload_burst, perSecond: c.media.upload_per_second },
      localMediaLifetimeMs: c.media_retention.local_media_lifetime ?? null,
      remoteMediaLifetimeMs:
        c.media_retention.remote_media_lifetime ?? DEFAULT_MEDIA_CONFIG.remoteMediaLifetimeMs,
      urlPreview: {
        enabled: c.url_preview.enabled,
        maxBytes: c.url_preview.max_bytes,
        timeoutMs: c.url_preview.timeout,
        cacheMs: DEFAULT_MEDIA_CONFIG.urlPreview.cacheMs,
      },
    },
    mediaStorage,
    mediaPurgeIntervalMs: c.media_retention.purge_interval,
    ipRangeBlocklist: c.ip_range_blocklist,
    ipRangeAllowlist: c.ip_range_allowlist,
  };
}
