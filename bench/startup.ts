/**
 * Start-up benchmark: time from spawning the server to its first answered
 * `GET /_matrix/client/versions`, and the idle resident memory of the server process (VmRSS of the
 * process that serves, not of an npm or tsx wrapper). Targets: under 250 ms and under 60 MB.
 *
 *   npx tsx bench/startup.ts [--runs N] [--no-synapse] [--no-bundle]
 *
 * Ways of starting, each measured:
 *   dist         `node dist/main.js`: the server process `npm start` runs (headline figures)
 *   npm-start    `npm start --`: npm, the esbuild build of dist/ (prestart), then node dist/main.js
 *   tsx-cli      `tsx src/runtime/node/main.ts`: running from source, for development
 *   dist-small-young-gen  dist with --max-semi-space-size=1 (less idle memory); --no-bundle skips
 * Each is started once on a fresh data folder (cold: migrations, key generation) and then `--runs`
 * times on that folder (a restart); medians are reported. With a Synapse set up by
 * ../shared/synapse (root, chroot present), a dedicated instance is started and stopped the same
 * way and the ratios printed; without one the comparison is simply left out.
 *
 * Wall times on a loaded machine (see load_average_1m) are inflated; cpu_ms, the CPU time the
 * process tree used up to the first answer, is the figure to compare across runs.
 *
 * idle_rss_mb is read 1 s after the first answer; idle_rss_mb_settled once more after ~20 s idle,
 * when V8's memory reducer has shrunk the heap of the now quiet process (it ran 8-16 s after
 * start-up here). runtime_floor is what the stack costs before any Lattice code: bare `node`, and
 * a minimal Hono app on @hono/node-server (bench/lib/hono-hello.mjs) after one request, read at the
 * same two moments, alongside the settled run so that it adds one wait, not two.
 *
 * Prints one JSON line.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const MAIN = join(ROOT, "src/runtime/node/main.ts");
const TARGET_MS = 250;
const TARGET_MB = 60;
/** How long the server sits idle before its RSS is read. */
const IDLE_MS = 1000;
/** ... and before it is read again, settled: after V8's memory reducer has run. */
const SETTLED_MS = 20_000;
const HONO_HELLO = join(ROOT, "bench/lib/hono-hello.mjs");

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 0) || 5;
const withSynapse = !args.includes("--no-synapse");
const withBundle = !args.includes("--no-bundle");

interface Sample {
  ms: number;
  /** CPU time (user + system) the whole process tree had used by then: unlike wall time, barely
   * moved by other load on the machine. */
  cpuMs: number;
  rssMb: number;
  /** Read after SETTLED_MS more, when asked for. */
  rssSettledMb?: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time of a process, in ms (from /proc/PID/stat, in clock ticks). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat; here, after pid and comm, at 11 and 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

interface Mode {
  name: string;
  command: string;
  args: string[];
}

const serverArgs = (dataDir: string) => ["--listen", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** VmRSS of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
  return kb / 1024;
}

/** `pid` and its descendants, parents before children, with their depth and command name. */
function processTree(pid: number): Array<{ pid: number; depth: number; comm: string }> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesised command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const tree: Array<{ pid: number; depth: number; comm: string }> = [];
  const visit = (p: number, depth: number) => {
    let comm = "";
    try {
      comm = readFileSync(`/proc/${p}/comm`, "utf8").trim();
    } catch {
      return;
    }
    tree.push({ pid: p, depth, comm });
    for (const child of children.get(p) ?? []) visit(child, depth + 1);
  };
  visit(pid, 0);
  return tree;
}

/** The process that serves: the deepest `node` under the spawned one (npm → sh → tsx CLI → node;
 * tsx's esbuild service is a child too, but not a node process). */
function servingProcess(pid: number): number {
  const nodes = processTree(pid).filter((p) => p.comm === "node" || p.pid === pid);
  return nodes.sort((a, b) => b.depth - a.depth)[0]?.pid ?? pid;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** SIGTERM to the serving process (the wrappers exit when it does); SIGKILL to the whole tree,
 * each by its own PID, if it is not gone within 5 s. */
async function stopTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const chain = processTree(child.pid as number).map((p) => p.pid);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  signal(servingProcess(child.pid as number), "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(() => {
      for (const pid of chain) signal(pid, "SIGKILL");
      done();
    }, 5000);
  });
  await Promise.race([exited, timeout]);
  clearTimeout(timer);
}

/** Starts one server, waits for its first /versions answer, reads its idle RSS (again after
 * `settleMs` more, if given), stops it. */
async function measure(mode: Mode, dataDir: string, settleMs?: number): Promise<Sample> {
  const started = performance.now();
  const child = spawn(mode.command, [...mode.args, ...serverArgs(dataDir)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LATTICE_"))),
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = stdout.match(/^listening on (http:\/\/\S+)$/m);
        if (match) done(match[1] as string);
      });
      child.once("exit", (code) => fail(new Error(`${mode.name} exited with ${code}: ${stderr}`)));
    });
    const res = await fetch(`${url}/_matrix/client/versions`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${mode.name}: /versions answered ${res.status}`);
    const ms = performance.now() - started;
    const cpu = processTree(child.pid as number).reduce((sum, p) => sum + cpuMs(p.pid), 0);
    await sleep(IDLE_MS);
    const sample: Sample = { ms, cpuMs: cpu, rssMb: rssMb(servingProcess(child.pid as number)) };
    if (settleMs !== undefined) {
      await sleep(settleMs);
      sample.rssSettledMb = rssMb(servingProcess(child.pid as number));
    }
    return sample;
  } finally {
    await stopTree(child);
  }
}

async function bench(mode: Mode) {
  const dataDir = mkdtempSync(join(tmpdir(), "lattice-bench-startup-"));
  try {
    const cold = await measure(mode, dataDir);
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await measure(mode, dataDir));
    return {
      cold_ms: round(cold.ms),
      ms_to_first_versions: round(median(samples.map((s) => s.ms))),
      min_ms: round(Math.min(...samples.map((s) => s.ms))),
      cpu_ms: round(median(samples.map((s) => s.cpuMs))),
      idle_rss_mb: round(median(samples.map((s) => s.rssMb))),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Idle RSS of a restarted server (its data folder made by a first start) after SETTLED_MS. */
async function settledRss(mode: Mode): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "lattice-bench-startup-"));
  try {
    await measure(mode, dataDir);
    return round((await measure(mode, dataDir, SETTLED_MS)).rssSettledMb as number);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `node ...args`: waits for its "listening on URL" line, asks URL once unless it is "-", and reads
 * its RSS after IDLE_MS and after SETTLED_MS more. */
async function floorRss(args: string[]): Promise<{ idle_rss_mb: number; idle_rss_mb_settled: number }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  try {
    let stdout = "";
    const url = await new Promise<string>((done, fail) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = stdout.match(/^listening on (\S+)$/m);
        if (match) done(match[1] as string);
      });
      child.once("exit", (code) => fail(new Error(`node ${args.join(" ")} exited with ${code}`)));
    });
    if (url !== "-") await (await fetch(url)).arrayBuffer();
    await sleep(IDLE_MS);
    const idle = rssMb(child.pid as number);
    await sleep(SETTLED_MS);
    return { idle_rss_mb: round(idle), idle_rss_mb_settled: round(rssMb(child.pid as number)) };
  } finally {
    await stopTree(child);
  }
}

// ---- Synapse, when ../shared/synapse has set one up --------------------------------------------

const SYNAPSE_DIR = resolve(ROOT, "../shared/synapse");
const SYNAPSE_INSTANCE = "startupbench";
const SYNAPSE_PORT = 18097;

function run(command: string, argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) =>
    execFile(command, argv, { env, timeout: 240_000 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} ${argv.join(" ")}: ${stderr || error.message}`)) : done(stdout),
    ),
  );
}

function synapseAvailable(): string | undefined {
  if (!withSynapse) return "skipped (--no-synapse)";
  if (!existsSync(join(SYNAPSE_DIR, "start.sh"))) return `not found at ${SYNAPSE_DIR}`;
  if (process.getuid?.() !== 0) return "needs root (chroot)";
  const root = process.env.SYNAPSE_ROOT ?? join(homedir(), ".cache/synapse-root");
  if (!existsSync(join(root, "usr/lib/python3/dist-packages/synapse"))) {
    return `not set up (run ${SYNAPSE_DIR}/setup.sh, ~80 s)`;
  }
  return undefined;
}

async function benchSynapse(): Promise<{ ms_to_first_versions: number; idle_rss_mb: number }> {
  const env = {
    ...process.env,
    SYNAPSE_SERVER_NAME: `localhost:${SYNAPSE_PORT}`,
    SYNAPSE_HTTP_PORT: String(SYNAPSE_PORT),
    SYNAPSE_LOG_LEVEL: "WARNING",
  };
  // Its own instance, so a Synapse that others use is never restarted. Idempotent.
  await run(join(SYNAPSE_DIR, "setup.sh"), [SYNAPSE_INSTANCE], env);
  const url = `http://127.0.0.1:${SYNAPSE_PORT}/_matrix/client/versions`;
  const started = performance.now();
  const starting = run(join(SYNAPSE_DIR, "start.sh"), [SYNAPSE_INSTANCE], env);
  let ms: number | undefined;
  while (ms === undefined) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) ms = performance.now() - started;
    } catch {
      await sleep(5);
    }
  }
  const pid = Number((await starting).trim().split("\n").at(-1));
  try {
    await sleep(IDLE_MS);
    return { ms_to_first_versions: round(ms), idle_rss_mb: round(rssMb(pid)) };
  } finally {
    await run(join(SYNAPSE_DIR, "stop.sh"), [SYNAPSE_INSTANCE], env);
  }
}

// ---- main --------------------------------------------------------------------------------------

const tsxCli = join(ROOT, "node_modules/.bin/tsx");
// `npm start` builds dist/ (prestart) and runs `node dist/main.js`; build it once here so the
// `dist` mode measures the server process alone.
await run(process.execPath, [join(ROOT, "scripts/build.mjs")], process.env);
const DIST_MAIN = join(ROOT, "dist/main.js");
const modes: Mode[] = [
  { name: "dist", command: process.execPath, args: [DIST_MAIN] },
  { name: "npm-start", command: "npm", args: ["start", "--silent", "--"] },
  { name: "tsx-cli", command: tsxCli, args: [MAIN] },
];
if (withBundle) {
  // A 1 MB young generation instead of V8's default 16 MB: less idle memory, more frequent minor
  // collections under load.
  modes.push({
    name: "dist-small-young-gen",
    command: process.execPath,
    args: ["--max-semi-space-size=1", DIST_MAIN],
  });
}

const results: Record<string, Awaited<ReturnType<typeof bench>>> = {};
for (const mode of modes) results[mode.name] = await bench(mode);

// All three only sit idle once started, so they share one SETTLED_MS wait.
const [settled, bareNode, honoHello] = await Promise.all([
  settledRss(modes[0] as Mode),
  floorRss(["-e", "console.log('listening on -'); setInterval(() => {}, 1 << 30);"]),
  floorRss([HONO_HELLO]),
]);

const shipped = results.dist as Awaited<ReturnType<typeof bench>>;
const fastest = Object.entries(results).sort(
  (a, b) => a[1].ms_to_first_versions - b[1].ms_to_first_versions,
)[0];

const output: Record<string, unknown> = {
  bench: "startup",
  ms_to_first_versions: shipped.ms_to_first_versions,
  idle_rss_mb: shipped.idle_rss_mb,
  idle_rss_mb_settled: settled,
  cpu_ms: shipped.cpu_ms,
  via: "node dist/main.js (what npm start runs after building dist/)",
  targets: { ms: TARGET_MS, rss_mb: TARGET_MB },
  meets_targets: shipped.ms_to_first_versions < TARGET_MS && shipped.idle_rss_mb < TARGET_MB,
  fastest: fastest?.[0],
  modes: results,
  runtime_floor: {
    node: bareNode,
    hono_hello: honoHello,
    lattice_above_hono_hello_mb: {
      idle: round(shipped.idle_rss_mb - honoHello.idle_rss_mb),
      settled: round(settled - honoHello.idle_rss_mb_settled),
    },
  },
  runs,
  load_average_1m: round(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]), 2),
};

const unavailable = synapseAvailable();
if (unavailable) {
  console.error(`synapse comparison: ${unavailable}`);
} else {
  try {
    const synapse = await benchSynapse();
    output.synapse = synapse;
    output.ratio_vs_synapse = {
      ms: round(synapse.ms_to_first_versions / shipped.ms_to_first_versions, 2),
      rss: round(synapse.idle_rss_mb / shipped.idle_rss_mb, 2),
    };
  } catch (error) {
    console.error(`synapse comparison failed: ${(error as Error).message}`);
  }
}

console.log(JSON.stringify(output));
