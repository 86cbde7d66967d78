/** Shapes media content into a streamed response with the safe-serving headers
 * (spec: client-server-api "Serving inline content"; range requests per RFC 9110). */
import type { MediaContent } from "../../services/media/media-service.js";
import { contentDisposition, SECURITY_HEADERS } from "../../services/media/serving.js";

export function mediaResponse(
  content: MediaContent,
  options: { fileName?: string | null; forceInline?: boolean } = {},
): Response {
  const fileName = options.fileName ?? content.uploadName;
  const headers = new Headers({
    ...SECURITY_HEADERS,
    "Content-Type": content.contentType,
    "Content-Disposition": contentDisposition(content.contentType, fileName, options.forceInline),
    "Accept-Ranges": "bytes",
    // Media never changes under its ID; clients may keep it.
    "Cache-Control": "private, max-age=86400, immutable",
  });
  if (content.range) {
    const { start, end } = content.range;
    headers.set("Content-Range", `bytes ${start}-${end}/${content.size}`);
    headers.set("Content-Length", String(end - start + 1));
    return new Response(content.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(content.size));
  return new Response(content.body, { status: 200, headers });
}
