/**
 * What every benchmark needs to drive a homeserver over the client-server API — Lattice or the
 * Synapse of /work/shared/synapse — and to start either one.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpRequest } from "./http-client.js";

export const SYNAPSE_URL = "http://127.0.0.1:18008";
const SYNAPSE_DIR = "/work/shared/synapse";

export interface BenchUser {
  userId: string;
  token: string;
}

/** One client-server API request with a JSON body; the answer's status, parsed JSON and length. */
export function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, any>; bytes: number }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return httpRequest(new URL(base + path), method, headers, payload).then(({ status, text }) => ({
    status,
    json: text ? JSON.parse(text) : {},
    bytes: text.length,
  }));
}

/** Registers through the open-registration dummy flow, which both Lattice (--open-registration) and
 * the test Synapse offer. */
export async function register(base: string, username: string): Promise<BenchUser> {
  const password = "bench password 1234";
  const first = await call(base, "POST", "/_matrix/client/v3/register", { username, password });
  const done = await call(base, "POST", "/_matrix/client/v3/register", {
    username,
    password,
    auth: { type: "m.login.dummy", session: first.json.session },
  });
  if (done.status !== 200)
    throw new Error(`register ${username}: ${done.status} ${JSON.stringify(done.json)}`);
  return { userId: String(done.json.user_id), token: String(done.json.access_token) };
}

export async function createRoom(
  base: string,
  user: BenchUser,
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await call(
    base,
    "POST",
    "/_matrix/client/v3/createRoom",
    { preset: "public_chat", ...body },
    user.token,
  );
  if (res.status !== 200) throw new Error(`createRoom: ${res.status} ${JSON.stringify(res.json)}`);
  return String(res.json.room_id);
}

export async function joinRoom(base: string, user: BenchUser, roomId: string): Promise<void> {
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

/** Sends one text message; returns the request's latency in ms. */
export async function sendMessage(
  base: string,
  user: BenchUser,
  roomId: string,
  body: string,
): Promise<number> {
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

export function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

export async function inBatches<T, R>(
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

export async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

const ROOT = join(import.meta.dirname, "../..");

/** Runs `work` against a fresh Lattice in its own process, as `npm start` runs it: the esbuild
 * bundle (built here first, as `prestart` does) with `node dist/main.js`, a temporary SQLite data
 * folder, default settings, open registration, no rate limits. A server measured in the load
 * generator's process would share its CPU. */
export async function withLattice<T>(work: (url: string, pid: number) => Promise<T>): Promise<T> {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "lattice-bench-"));
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "dist/main.js"),
      "--listen",
      "127.0.0.1:0",
      "--data",
      dir,
      "--open-registration",
      "--no-rate-limits",
      "--log-level",
      "silent",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.once("exit", (code) => reject(new Error(`lattice exited with ${code}`)));
    });
    return await work(url, child.pid as number);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The test Synapse's URL if it answers (starting the installed `main` instance if needed). */
export async function synapseAt(url = SYNAPSE_URL): Promise<string | undefined> {
  if (!(await answers(url)) && url === SYNAPSE_URL && existsSync(join(SYNAPSE_DIR, "start.sh"))) {
    try {
      execFileSync(join(SYNAPSE_DIR, "start.sh"), ["main"], { stdio: ["ignore", "ignore", "inherit"] });
    } catch {
      return undefined;
    }
  }
  return (await answers(url)) ? url : undefined;
}

export const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** User + system CPU time a process has used, in ms (Linux /proc; clock ticks of 10 ms). Unlike
 * wall-clock throughput, CPU per event barely moves with other load on the machine. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Command-line options shared by the homeserver benchmarks: `--url URL`, `--compare-synapse [URL]`,
 * and the numeric options given with their defaults (`{ "big-rooms": 500 }` reads `--big-rooms N`).
 */
export function benchOptions<N extends Record<string, number>>(argv: string[], numbers: N) {
  const options = {
    url: undefined as string | undefined,
    synapse: undefined as string | undefined,
    numbers: { ...numbers },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.replace(/^--/, "");
    if (arg === "--url" && next) options.url = argv[++i];
    else if (arg === "--compare-synapse")
      options.synapse = next && !next.startsWith("--") ? argv[++i] : SYNAPSE_URL;
    else if (arg.startsWith("--") && name in numbers && next)
      (options.numbers as Record<string, number>)[name] = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument ${arg}; options: --url, --compare-synapse, ${Object.keys(numbers)
          .map((n) => `--${n}`)
          .join(", ")}`,
      );
  }
  return options;
}
