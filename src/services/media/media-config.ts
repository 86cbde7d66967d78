/** Media settings the services read (the Node runtime fills them from `media`, `media_retention`
 * and `url_preview` in the config file). */
import type { ThumbnailMethod } from "../../ports/thumbnailer.js";

export interface ThumbnailSize {
  width: number;
  height: number;
  method: ThumbnailMethod;
}

export interface MediaConfig {
  /** Largest upload (bytes), advertised as `m.upload.size`; larger is 413 M_TOO_LARGE. */
  maxUploadBytes: number;
  /** Images with more pixels than this are never decoded (thumbnails refused with 413). */
  maxImagePixels: number;
  /** Sizes made on upload and the only sizes served (a request is met by the nearest fitting one). */
  thumbnailSizes: ThumbnailSize[];
  /**
   * The freeze of unauthenticated media (spec: client-server-api "Content repository", MSC3916):
   * media uploaded at or after this time (epoch ms) is not served by the legacy
   * `/_matrix/media/v3/download` and `/thumbnail`. 0, the default, freezes everything.
   */
  unauthenticatedMediaCutoffTs: number;
  /** How long a `POST /_matrix/media/v1/create` reservation waits for its bytes. */
  pendingUploadLifetimeMs: number;
  /** Open reservations a user may hold at once (spec: 429 M_LIMIT_EXCEEDED beyond). */
  maxPendingUploads: number;
  /** Per-user upload rate limit (token bucket). */
  uploadRateLimit: { burst: number; perSecond: number };
  /** Local media not accessed for this long is purged; null keeps it forever. */
  localMediaLifetimeMs: number | null;
  /** Cached remote media not accessed for this long is purged; null keeps it forever. */
  remoteMediaLifetimeMs: number | null;
  urlPreview: {
    enabled: boolean;
    /** Largest page or image fetched for a preview. */
    maxBytes: number;
    timeoutMs: number;
    /** How long a preview is cached. */
    cacheMs: number;
  };
}

export const DEFAULT_THUMBNAIL_SIZES: ThumbnailSize[] = [
  { width: 32, height: 32, method: "crop" },
  { width: 96, height: 96, method: "crop" },
  { width: 320, height: 240, method: "scale" },
  { width: 640, height: 480, method: "scale" },
  { width: 800, height: 600, method: "scale" },
];

export const DEFAULT_MEDIA_CONFIG: MediaConfig = {
  maxUploadBytes: 100 * 1024 * 1024,
  maxImagePixels: 32_000_000,
  thumbnailSizes: DEFAULT_THUMBNAIL_SIZES,
  unauthenticatedMediaCutoffTs: 0,
  pendingUploadLifetimeMs: 24 * 60 * 60 * 1000,
  maxPendingUploads: 5,
  uploadRateLimit: { burst: 10, perSecond: 1 },
  localMediaLifetimeMs: null,
  remoteMediaLifetimeMs: 90 * 24 * 60 * 60 * 1000,
  urlPreview: { enabled: false, maxBytes: 10 * 1024 * 1024, timeoutMs: 10_000, cacheMs: 60 * 60 * 1000 },
};
