/** HTTP single byte ranges (RFC 9110 §14.1.2) for resuming and seeking in large media. */
import type { ByteRange } from "../../ports/media-store.js";

/**
 * The range a `Range` header asks of a `size`-byte entity: undefined to send it whole (no header,
 * a multi-range or a unit other than bytes, which a server may ignore), "unsatisfiable" for 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from, to] = match as unknown as [string, string, string];
  if (from === "" && to === "") return undefined;
  if (from === "") {
    // A suffix: the last N bytes.
    const n = Number(to);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(size - n, 0), end: size - 1 };
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
