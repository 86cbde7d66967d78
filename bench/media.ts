/**
 * Media streaming benchmark: a 50 MB upload and download through a real server on loopback (local
 * folder media store), measuring throughput and how far the process's memory rises above where it
 * started — it should stay flat (a few MB of buffers), not grow by the file's size.
 *
 *   npx tsx bench/media.ts [megabytes, default 50]
 *
 * Prints one JSON line:
 * {"bench":"media","mb":…,"upload_mb_s":…,"download_mb_s":…,"peak_rss_delta_mb":…,"sha256_match":true}.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { loadConfig } from "../src/runtime/node/config.js";
import { startServer } from "../src/runtime/node/server.js";

const megabytes = Number(process.argv[2] ?? "50");
const total = megabytes * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "lattice-bench-media-"));

/** Deterministic bytes in 64 KiB chunks, made as they are read (with backpressure). */
function generated(hash: ReturnType<typeof createHash>): Readable {
  const block = Buffer.alloc(64 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const chunk = Buffer.from(block.subarray(0, Math.min(block.length, total - sent)));
      chunk[0] = (sent >> 16) & 0xff;
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** node:http rather than fetch on the client side: undici keeps a streamed request body alive
 * until the exchange ends, which would show up as the client's memory, not the server's. */
function exchange(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Readable | undefined,
  onData: (chunk: Buffer) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.on("data", onData);
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

const config = {
  ...loadConfig(
    [
      "--listen",
      "127.0.0.1:0",
      "--data",
      dir,
      "--no-rate-limits",
      "--open-registration",
      "--media-max-upload-bytes",
      String(total + 1),
    ],
    {},
  ),
  database: "sqlite::memory:",
  logLevel: "silent" as const,
};
const server = await startServer(config);
try {
  const user = await server.services.userAdmin.create({ localpart: "bench", password: "bench password" });
  const session = await server.services.sessions.issue({ userId: user.userId });
  const auth = { authorization: `Bearer ${session.access_token}` };

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);

  const sent = createHash("sha256");
  let started = performance.now();
  const reply: Buffer[] = [];
  await exchange(
    "POST",
    `${server.url}/_matrix/media/v3/upload?filename=bench.bin`,
    { ...auth, "content-type": "application/octet-stream" },
    generated(sent),
    (chunk) => reply.push(chunk),
  );
  const { content_uri } = JSON.parse(Buffer.concat(reply).toString()) as { content_uri: string };
  const uploadSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const received = createHash("sha256");
  let size = 0;
  await exchange(
    "GET",
    `${server.url}/_matrix/client/v1/media/download/${content_uri.slice(6)}`,
    auth,
    undefined,
    (chunk) => {
      received.update(chunk);
      size += chunk.length;
    },
  );
  const downloadSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      bench: "media",
      mb: megabytes,
      upload_mb_s: round(megabytes / uploadSeconds),
      download_mb_s: round(megabytes / downloadSeconds),
      peak_rss_delta_mb: round((peak - baseline) / 1024 / 1024),
      sha256_match: size === total && sent.digest("hex") === received.digest("hex"),
    }),
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
