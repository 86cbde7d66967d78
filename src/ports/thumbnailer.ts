/** Image decoding and resizing for thumbnails: sharp on Node, an image service on Workers. */

export type ThumbnailMethod = "crop" | "scale";

export interface ImageInfo {
  width: number;
  height: number;
  /** e.g. "png", "jpeg", "gif", "webp". */
  format: string;
  /** More than one frame (GIF, animated WebP/PNG). */
  animated: boolean;
}

export interface ThumbnailSpec {
  width: number;
  height: number;
  method: ThumbnailMethod;
  /** Keep the animation (as WebP) when the source has one. */
  animated: boolean;
}

export interface Thumbnail {
  bytes: Uint8Array;
  contentType: string;
  width: number;
  height: number;
}

export interface Thumbnailer {
  /** Reads only the image header; undefined when the bytes are not an image it can decode. */
  probe(source: Uint8Array): Promise<ImageInfo | undefined>;
  /** Never upscales; refuses sources above `maxPixels` before decoding them. */
  generate(source: Uint8Array, spec: ThumbnailSpec, maxPixels: number): Promise<Thumbnail>;
}
