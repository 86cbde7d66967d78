import { MatrixError } from "../errors.js";

/** Passes bytes through until more than `maxBytes` went by, then fails the stream with
 * 413 M_TOO_LARGE, so an upload limit holds even without (or despite) a Content-Length. */
export function limitBytes(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) {
        controller.error(tooLarge(maxBytes));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

/** 413 for an upload whose body is left unread: the connection cannot carry another request. */
export const tooLarge = (maxBytes: number) =>
  new MatrixError(413, "M_TOO_LARGE", `Upload is larger than ${maxBytes} bytes`, {}, { Connection: "close" });
