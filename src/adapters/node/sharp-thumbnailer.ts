/** Thumbnails with sharp (libvips). `limitInputPixels` makes sharp refuse oversized images from
 * their header, before decoding; the media service checks `probe` first as well. */
import sharp, { type Sharp } from "sharp";
import type { ImageInfo, Thumbnail, Thumbnailer, ThumbnailSpec } from "../../ports/thumbnailer.js";

export const sharpThumbnailer: Thumbnailer = {
  async probe(source) {
    try {
      // Reads the header only; no pixel limit applies to metadata.
      const meta = await sharp(source, { limitInputPixels: false }).metadata();
      if (!meta.width || !meta.height || !meta.format) return undefined;
      const pages = meta.pages ?? 1;
      // For multi-page images sharp reports the height of one page unless asked for all pages.
      const info: ImageInfo = {
        width: meta.width,
        height: meta.pageHeight ?? meta.height,
        format: meta.format,
        animated: pages > 1,
      };
      return info;
    } catch {
      return undefined;
    }
  },

  async generate(source: Uint8Array, spec: ThumbnailSpec, maxPixels: number): Promise<Thumbnail> {
    const image = sharp(source, {
      limitInputPixels: maxPixels,
      animated: spec.animated,
      failOn: "error",
    }).rotate();
    const resized = image.resize({
      width: spec.width,
      height: spec.height,
      // crop: the asked aspect ratio, centre-cut; scale: the image's own ratio, within the box.
      fit: spec.method === "crop" ? "cover" : "inside",
      withoutEnlargement: true,
    });
    const meta = await sharp(source, { limitInputPixels: maxPixels }).metadata();
    // Animation keeps only in WebP (the spec's preferred animated type); stills as PNG when the
    // source may have transparency, JPEG otherwise.
    let output: Sharp;
    let contentType: string;
    if (spec.animated) {
      output = resized.webp();
      contentType = "image/webp";
    } else if (meta.hasAlpha || meta.format === "png" || meta.format === "gif") {
      output = resized.png();
      contentType = "image/png";
    } else {
      output = resized.jpeg({ quality: 85 });
      contentType = "image/jpeg";
    }
    const { data, info } = await output.toBuffer({ resolveWithObject: true });
    return {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      contentType,
      width: info.width,
      height: info.pageHeight ?? info.height,
    };
  },
};
