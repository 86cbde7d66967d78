/**
 * Thumbnails (spec: client-server-api "Thumbnails"): the configured sizes, made on upload and on
 * first request, stored content-addressed and recorded, never upscaled, never smaller than asked
 * unless the image is. Images over the pixel limit are refused from their header, undecoded.
 */
import type { MediaStore } from "../../ports/media-store.js";
import type { MediaRecord, MediaRepository, ThumbnailRecord } from "../../ports/store/media.js";
import type { ImageInfo, Thumbnailer, ThumbnailMethod, ThumbnailSpec } from "../../ports/thumbnailer.js";
import { MatrixError, notFound } from "../errors.js";
import type { MediaConfig, ThumbnailSize } from "./media-config.js";
import type { MediaContent, MediaService, ServeOptions } from "./media-service.js";
import { baseType } from "./serving.js";

/** Larger sources are not decoded for thumbnails at all (413). */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
/** Types the thumbnailer is asked to read (others are 400 at once). */
const IMAGE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/apng",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/tiff",
]);
/** Types served as a thumbnail of themselves when the image is already small enough. */
const PASSTHROUGH_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export interface ThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
}

/** The configured size that serves a request: the smallest of its method that is at least as large
 * as asked, else the largest of its method (any method when none is configured for it). */
export function chooseSize(sizes: ThumbnailSize[], request: ThumbnailRequest): ThumbnailSize {
  const ofMethod = sizes.filter((s) => s.method === request.method);
  const pool = ofMethod.length > 0 ? ofMethod : sizes;
  const area = (s: ThumbnailSize) => s.width * s.height;
  const fitting = pool.filter((s) => s.width >= request.width && s.height >= request.height);
  if (fitting.length > 0) return fitting.reduce((a, b) => (area(b) < area(a) ? b : a));
  return pool.reduce((a, b) => (area(b) > area(a) ? b : a));
}

export class ThumbnailService {
  constructor(
    private readonly mediaService: MediaService,
    private readonly media: MediaRepository,
    private readonly blobs: MediaStore,
    private readonly thumbnailer: Thumbnailer,
    private readonly config: { media: MediaConfig },
  ) {}

  async thumbnail(
    serverName: string,
    mediaId: string,
    request: ThumbnailRequest,
    options: ServeOptions,
  ): Promise<MediaContent> {
    const record = await this.mediaService.resolve(serverName, mediaId, options);
    const size = chooseSize(this.config.media.thumbnailSizes, request);
    const cached = await this.findCached(record, size, request.animated);
    if (cached) return this.serveThumbnail(cached);

    const source = await this.readSource(record);
    const info = await this.probe(record, source);
    if (info.width <= size.width && info.height <= size.height && (request.animated || !info.animated)) {
      // Already small enough: the spec says to return the original rather than thumbnail it.
      const type = baseType(record.contentType ?? "");
      if (PASSTHROUGH_TYPES.has(type)) return this.serveBytes(source, type);
    }
    const made = await this.make(record, source, { ...size, animated: request.animated && info.animated });
    return this.serveBytes(made.bytes, made.contentType);
  }

  /** Makes every configured size of a freshly uploaded image; quietly nothing for other media. */
  async pregenerate(record: MediaRecord): Promise<void> {
    if (!IMAGE_TYPES.has(baseType(record.contentType ?? "")) || (record.size ?? 0) > MAX_SOURCE_BYTES) return;
    const source = await this.readSource(record);
    const info = await this.thumbnailer.probe(source);
    if (!info || info.width * info.height > this.config.media.maxImagePixels) return;
    for (const size of this.config.media.thumbnailSizes) {
      if (info.width <= size.width && info.height <= size.height) continue;
      await this.make(record, source, { ...size, animated: false });
      if (info.animated) await this.make(record, source, { ...size, animated: true });
    }
  }

  private async findCached(record: MediaRecord, size: ThumbnailSize, animated: boolean) {
    const all = await this.media.listThumbnails(record.serverName, record.mediaId);
    return all.find(
      (t) =>
        t.width === size.width &&
        t.height === size.height &&
        t.method === size.method &&
        t.animated === animated,
    );
  }

  private async readSource(record: MediaRecord): Promise<Uint8Array> {
    if (!IMAGE_TYPES.has(baseType(record.contentType ?? ""))) throw cannotThumbnail();
    if ((record.size ?? 0) > MAX_SOURCE_BYTES) {
      throw new MatrixError(413, "M_TOO_LARGE", "Content is too large to thumbnail");
    }
    const stream = await this.blobs.get(record.sha256 as string);
    if (!stream) throw notFound("Media content is missing");
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  private async probe(record: MediaRecord, source: Uint8Array): Promise<ImageInfo> {
    const info = await this.thumbnailer.probe(source);
    if (!info) throw cannotThumbnail();
    if (info.width * info.height > this.config.media.maxImagePixels) {
      throw new MatrixError(
        413,
        "M_TOO_LARGE",
        `Image of ${record.mediaId} has too many pixels to thumbnail`,
      );
    }
    return info;
  }

  private async make(
    record: MediaRecord,
    source: Uint8Array,
    spec: ThumbnailSpec,
  ): Promise<ThumbnailRecord & { bytes: Uint8Array }> {
    const made = await this.thumbnailer.generate(source, spec, this.config.media.maxImagePixels).catch(() => {
      throw cannotThumbnail();
    });
    const blob = await this.blobs.put(new Response(made.bytes as Uint8Array<ArrayBuffer>).body!);
    const thumbnail: ThumbnailRecord = {
      // Recorded under the configured size it serves, whatever its exact pixels (never upscaled).
      width: spec.width,
      height: spec.height,
      method: spec.method,
      animated: spec.animated,
      contentType: made.contentType,
      sha256: blob.sha256,
      size: blob.size,
    };
    await this.media.putThumbnail(record.serverName, record.mediaId, thumbnail);
    return { ...thumbnail, bytes: made.bytes };
  }

  private async serveThumbnail(thumbnail: ThumbnailRecord): Promise<MediaContent> {
    const body = await this.blobs.get(thumbnail.sha256);
    if (!body) throw notFound("Thumbnail content is missing");
    return { contentType: thumbnail.contentType, uploadName: null, size: thumbnail.size, body };
  }

  private serveBytes(bytes: Uint8Array, contentType: string): MediaContent {
    return {
      contentType,
      uploadName: null,
      size: bytes.byteLength,
      body: new Response(bytes as Uint8Array<ArrayBuffer>).body!,
    };
  }
}

const cannotThumbnail = () =>
  new MatrixError(400, "M_UNKNOWN", "Cannot generate thumbnails for the requested content");
