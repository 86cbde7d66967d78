/**
 * How media is served safely (spec: client-server-api "Serving inline content" and the CSP the
 * spec recommends): inline only for types a browser will not run, attachment for everything else,
 * and headers that keep any served file from running script or being sniffed into HTML.
 */

const INLINE_TYPES = new Set([
  "text/css",
  "text/plain",
  "text/csv",
  "application/json",
  "application/ld+json",
  "image/jpeg",
  "image/gif",
  "image/png",
  "image/apng",
  "image/webp",
  "image/avif",
  "video/mp4",
  "video/webm",
  "video/ogg",
  "video/quicktime",
  "audio/mp4",
  "audio/webm",
  "audio/aac",
  "audio/mpeg",
  "audio/ogg",
  "audio/wave",
  "audio/wav",
  "audio/x-wav",
  "audio/x-pn-wav",
  "audio/flac",
  "audio/x-flac",
]);

/** The bare media type, lower-cased: `Text/HTML; charset=utf-8` is `text/html`. */
export const baseType = (contentType: string) => contentType.split(";")[0]!.trim().toLowerCase();

export function isInlineSafe(contentType: string): boolean {
  return INLINE_TYPES.has(baseType(contentType));
}

export function contentDisposition(
  contentType: string,
  fileName: string | null,
  forceInline = false,
): string {
  const kind = forceInline || isInlineSafe(contentType) ? "inline" : "attachment";
  if (!fileName) return kind;
  // RFC 6266: an ASCII fallback and the exact UTF-8 name.
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=utf-8''${encodeURIComponent(fileName)}`;
}

export const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; " +
    "style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "cross-origin",
};
