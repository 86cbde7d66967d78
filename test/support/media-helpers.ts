/** Helpers for media tests: raw uploads, generated streams, hashes of responses. */
import { createHash } from "node:crypto";

export async function upload(
  baseUrl: string,
  token: string | undefined,
  body: BodyInit,
  options: { contentType?: string; fileName?: string; path?: string; method?: string } = {},
): Promise<{ status: number; body: Record<string, any> }> {
  const query = options.fileName ? `?filename=${encodeURIComponent(options.fileName)}` : "";
  const response = await fetch(`${baseUrl}${options.path ?? "/_matrix/media/v3/upload"}${query}`, {
    method: options.method ?? "POST",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "content-type": options.contentType ?? "application/octet-stream",
    },
    body,
    duplex: "half",
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** `total` deterministic bytes in 64 KiB chunks, made as they are read (never all in memory). */
export function generatedStream(total: number): ReadableStream<Uint8Array> {
  const block = new Uint8Array(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(block.length, total - sent);
      const chunk = block.slice(0, n);
      chunk[0] = (sent >> 16) & 0xff;
      sent += n;
      controller.enqueue(chunk);
    },
  });
}

export async function sha256OfStream(
  stream: ReadableStream<Uint8Array> | null,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  if (stream) {
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
  }
  return { sha256: hash.digest("hex"), size };
}

export const mediaPath = (mxc: string) => mxc.slice("mxc://".length);
