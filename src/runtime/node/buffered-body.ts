/**
 * Hands a request body that arrived whole with its headers to the app as one Buffer.
 *
 * @hono/node-server reads `incoming.rawBody` when it is a Buffer (the hook it keeps for platforms
 * that read bodies before the app runs) instead of listening for the stream's `data` and `end`
 * events. A JSON body of a few hundred bytes is almost always in the same packet as its headers,
 * and waiting for those events cost about 0.2 ms of a message send here. A body that is still
 * arriving (a media upload), or one without Content-Length (chunked), is left to the stream.
 */
import type { IncomingMessage } from "node:http";

export function handOverBufferedBody(req: IncomingMessage): void {
  // The parser pushes the body after the `request` event, within the same read from the socket:
  // by the next microtask checkpoint what came with the headers is buffered.
  queueMicrotask(() => {
    const length = Number(req.headers["content-length"]);
    if (!(length > 0) || req.readableLength !== length) return;
    const body: unknown = req.read();
    if (!Buffer.isBuffer(body)) return;
    Object.assign(req, { rawBody: body });
    // The stream's end is still to be pushed: flowing, it ends on its own (nothing is left to emit)
    // instead of being drained by @hono/node-server's timers after the response.
    req.resume();
  });
}
