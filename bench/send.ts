/**
 * Send throughput benchmark: events/s and per-send latency (p50/p95/p99) for N concurrent senders,
 * all in one room and each in a room of their own, over the client-server API on loopback.
 *
 *   npx tsx bench/send.ts [--url URL] [--senders 50] [--messages 20] [--compare-synapse [URL]]
 *
 * Without --url it starts Lattice in-process (startServer) on a temporary SQLite data folder with the
 * default settings, open registration and no rate limits. Users register through the open
 * registration dummy flow, so any homeserver that allows it can be measured — Synapse's test
 * instance (/work/shared/synapse, `./start.sh` serves http://127.0.0.1:18008) does.
 * `--compare-synapse` measures that Synapse in the same run (starting it if it is installed and not
 * running) and adds the Lattice/Synapse ratio. Prints one JSON document.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { loadConfig } from "../src/runtime/node/config.js";
import { startServer } from "../src/runtime/node/server.js";

const SYNAPSE_URL = "http://127.0.0.1:18008";
const SYNAPSE_DIR = "/work/shared/synapse";

function parseArgs(argv: string[]) {
  const options = {
    url: undefined as string | undefined,
    senders: 50,
    messages: 20,
    synapse: undefined as string | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--url" && next) options.url = argv[++i];
    else if (arg === "--senders" && next) options.senders = Number(argv[++i]);
    else if (arg === "--messages" && next) options.messages = Number(argv[++i]);
    else if (arg === "--compare-synapse")
      options.synapse = next && !next.startsWith("--") ? argv[++i] : SYNAPSE_URL;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

interface User {
  userId: string;
  token: string;
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, json };
}

async function register(base: string, username: string): Promise<User> {
  const password = "bench password 1234";
  const first = await call(base, "POST", "/_matrix/client/v3/register", { username, password });
  const done = await call(base, "POST", "/_matrix/client/v3/register", {
    username,
    password,
    auth: { type: "m.login.dummy", session: first.json.session },
    inhibit_login: false,
  });
  if (done.status !== 200)
    throw new Error(`register ${username}: ${done.status} ${JSON.stringify(done.json)}`);
  return { userId: String(done.json.user_id), token: String(done.json.access_token) };
}

async function inBatches<T, R>(
  items: T[],
  size: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  }
  return out;
}

async function createRoom(base: string, user: User): Promise<string> {
  const res = await call(
    base,
    "POST",
    "/_matrix/client/v3/createRoom",
    { preset: "public_chat" },
    user.token,
  );
  if (res.status !== 200) throw new Error(`createRoom: ${res.status} ${JSON.stringify(res.json)}`);
  return String(res.json.room_id);
}

async function joinRoom(base: string, user: User, roomId: string) {
  const res = await call(
    base,
    "POST",
    `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`,
    {},
    user.token,
  );
  if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.json)}`);
}

let txnCounter = 0;
async function send(base: string, user: User, roomId: string, body: string): Promise<number> {
  const started = performance.now();
  const res = await call(
    base,
    "PUT",
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${Date.now()}.${txnCounter++}`,
    { msgtype: "m.text", body },
    user.token,
  );
  if (res.status !== 200) throw new Error(`send: ${res.status} ${JSON.stringify(res.json)}`);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

/** Every user sends `messages` messages one after another, all users at once. */
async function measure(base: string, users: User[], roomOf: (i: number) => string, messages: number) {
  // Warm-up (not counted): one message per user.
  await Promise.all(users.map((u, i) => send(base, u, roomOf(i), "warm-up")));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      for (let m = 0; m < messages; m++)
        latencies.push(await send(base, u, roomOf(i), `message ${m} from ${i}`));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    events: latencies.length,
    seconds: Math.round(seconds * 1000) / 1000,
    events_per_s: Math.round((latencies.length / seconds) * 10) / 10,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    },
  };
}

async function benchmark(base: string, senders: number, messages: number) {
  const prefix = `bench${Date.now().toString(36)}`;
  const users = await inBatches(
    Array.from({ length: senders }, (_, i) => `${prefix}_${i}`),
    10,
    (name) => register(base, name),
  );
  const owner = users[0] as User;
  const shared = await createRoom(base, owner);
  await inBatches(users.slice(1), 10, (u) => joinRoom(base, u, shared));
  const oneRoom = await measure(base, users, () => shared, messages);
  const own = await inBatches(users, 10, (u) => createRoom(base, u));
  const manyRooms = await measure(base, users, (i) => own[i] as string, messages);
  return { url: base, senders, messages_each: messages, one_room: oneRoom, many_rooms: manyRooms };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The server runs on a worker thread of this process, so the load generator does not share its
 * event loop (Synapse, measured the same way, has a process of its own). */
async function runLattice(senders: number, messages: number) {
  const worker = new Worker(
    // This file is TypeScript: the worker registers tsx's loader before importing it (Node 20
    // workers do not take over the main thread's --import loaders).
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`,
    { eval: true, workerData: { serve: true } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    worker.once("message", (m: { url: string }) => resolve(m.url));
    worker.once("error", reject);
  });
  try {
    return { server: "lattice", ...(await benchmark(url, senders, messages)) };
  } finally {
    worker.postMessage("close");
    await new Promise((resolve) => worker.once("exit", resolve));
  }
}

async function serveInWorker() {
  const dir = mkdtempSync(join(tmpdir(), "lattice-bench-send-"));
  const config = {
    ...loadConfig(["--listen", "127.0.0.1:0", "--data", dir, "--no-rate-limits", "--open-registration"], {}),
    logLevel: "silent" as const,
  };
  const server = await startServer(config);
  parentPort?.postMessage({ url: server.url });
  parentPort?.once("message", async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function runSynapse(url: string, senders: number, messages: number) {
  if (!(await answers(url)) && url === SYNAPSE_URL && existsSync(join(SYNAPSE_DIR, "start.sh"))) {
    execFileSync(join(SYNAPSE_DIR, "start.sh"), ["main"], { stdio: ["ignore", "ignore", "inherit"] });
  }
  if (!(await answers(url))) return { server: "synapse", url, error: "not reachable" };
  return { server: "synapse", ...(await benchmark(url, senders, messages)) };
}

if (!isMainThread && workerData?.serve) {
  await serveInWorker();
} else {
  await main();
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const lattice = options.url
    ? { server: "external", ...(await benchmark(options.url, options.senders, options.messages)) }
    : await runLattice(options.senders, options.messages);
  const report: Record<string, unknown> = { bench: "send", [options.url ? "target" : "lattice"]: lattice };
  if (options.synapse) {
    const synapse = await runSynapse(options.synapse, options.senders, options.messages);
    report.synapse = synapse;
    if ("one_room" in synapse) {
      const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
      report.ratio = {
        one_room: ratio(lattice.one_room.events_per_s, synapse.one_room.events_per_s),
        many_rooms: ratio(lattice.many_rooms.events_per_s, synapse.many_rooms.events_per_s),
      };
    }
  }
  console.log(JSON.stringify(report, null, 2));
}
