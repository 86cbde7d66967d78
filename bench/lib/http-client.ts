/**
 * The benchmarks' HTTP/1.1 client: keep-alive sockets, one request in flight per socket, and no
 * more machinery than a benchmark needs (a JSON body in, status and text out).
 *
 * Why not node:http: a benchmark that sleeps between requests (bench/sync's wake-up) finds every
 * code path cold on this kind of VM, and node:http's client (ClientRequest, its header checks, the
 * parser's JS callbacks, IncomingMessage streams) then cost ~1 ms of the load generator's CPU per
 * request and response, measured as part of the server's latency. This client writes the request in
 * one string and reads the response from the socket's buffers; both servers are measured with it.
 * (Before it, undici's fetch was replaced by node:http for the same reason.)
 */
import { connect, type Socket } from "node:net";

export interface HttpResult {
  status: number;
  text: string;
}

/** Idle keep-alive sockets by `host:port`. */
const idle = new Map<string, Socket[]>();

const HEADER_END = Buffer.from("\r\n\r\n");

export function httpRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<HttpResult> {
  const key = `${url.hostname}:${url.port}`;
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${key}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  const message = `${head}\r\n${body ?? ""}`;
  const pooled = idle.get(key)?.pop();
  pooled?.ref();
  return exchange(pooled ?? open(url, key), key, message).catch((error: unknown) => {
    // A pooled socket the server closed while it sat idle: once more on a new one.
    if (pooled && error instanceof ClosedBeforeResponse) return exchange(open(url, key), key, message);
    throw error;
  });
}

class ClosedBeforeResponse extends Error {}

function open(url: URL, key: string): Socket {
  const socket = connect(Number(url.port || 80), url.hostname);
  socket.setNoDelay(true);
  // A socket the server closes while it is parked leaves the pool.
  socket.once("close", () => {
    const list = idle.get(key);
    const at = list?.indexOf(socket) ?? -1;
    if (at >= 0) list?.splice(at, 1);
  });
  return socket;
}

/** Writes one request and reads its response (Content-Length, chunked, or up to the close). */
function exchange(socket: Socket, key: string, message: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    let headerEnd = -1;
    let status = 0;
    let length: number | undefined;
    let chunked = false;
    let keepAlive = true;

    const finish = (result: HttpResult | Error) => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (result instanceof Error) {
        socket.destroy();
        reject(result);
        return;
      }
      if (keepAlive && !socket.destroyed) park(socket, key);
      else socket.destroy();
      resolve(result);
    };
    const onError = (error: Error) =>
      finish(headerEnd < 0 && received.length === 0 ? new ClosedBeforeResponse(error.message) : error);
    const onClose = () => {
      if (headerEnd >= 0 && length === undefined && !chunked) {
        keepAlive = false;
        finish({ status, text: received.subarray(headerEnd).toString("utf8") });
      } else
        finish(
          received.length === 0
            ? new ClosedBeforeResponse("closed")
            : new Error("connection closed mid-response"),
        );
    };
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (headerEnd < 0) {
        const at = received.indexOf(HEADER_END);
        if (at < 0) return;
        const lines = received.subarray(0, at).toString("latin1").split("\r\n");
        status = Number((lines[0] ?? "").split(" ")[1]);
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(":");
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line
            .slice(colon + 1)
            .trim()
            .toLowerCase();
          if (name === "content-length") length = Number(value);
          else if (name === "transfer-encoding") chunked = value.includes("chunked");
          else if (name === "connection") keepAlive = value !== "close";
        }
        headerEnd = at + HEADER_END.length;
      }
      const body = received.subarray(headerEnd);
      if (chunked) {
        const decoded = dechunk(body);
        if (decoded) finish({ status, text: decoded.toString("utf8") });
      } else if (length !== undefined && body.length >= length) {
        finish({ status, text: body.subarray(0, length).toString("utf8") });
      }
    };
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.write(message);
  });
}

/** Keeps a socket for the next request (until the server closes it, see `open`). A parked socket
 * does not keep the process alive: a benchmark ends when its report is out, not when the server
 * (Synapse keeps idle connections open for minutes) closes its connections. */
function park(socket: Socket, key: string): void {
  socket.unref();
  const list = idle.get(key) ?? [];
  idle.set(key, list);
  list.push(socket);
}

/** The body of a complete chunked message, or undefined while chunks are missing. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", offset);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString("latin1"), 16);
    const start = lineEnd + 2;
    if (size === 0) return data.indexOf("\r\n", start) < 0 ? undefined : Buffer.concat(parts);
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}
