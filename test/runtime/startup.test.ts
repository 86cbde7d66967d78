/**
 * The server as an operator runs it: the real entry point in its own process, its one stdout line
 * that says where it listens, a clean stop on SIGTERM, and start-up refused (exit code 2) on a bad
 * configuration with a message that names the key and the fix.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = resolve("src/runtime/node/main.ts");
const TSX = resolve("node_modules/.bin/tsx");

const root = mkdtempSync(join(tmpdir(), "lattice-startup-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(root, `data-${++dirs}`);

/** The test's own LATTICE_* variables must not leak into the child. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("LATTICE_")),
  );
  return { ...clean, ...extra };
}

interface Started {
  child: ChildProcess;
  url: string;
  /** The exact line the server printed. */
  line: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node --import tsx main.ts`: one process, so a signal reaches the server itself. With
 * `viaTsxCli`, the way `npm start` runs it: the tsx CLI, which relays signals to its node child. */
function start(args: string[], options: { env?: Record<string, string>; viaTsxCli?: boolean } = {}) {
  const [command, prefix] = options.viaTsxCli ? [TSX, [MAIN]] : [process.execPath, ["--import", "tsx", MAIN]];
  const child = spawn(command, [...prefix, ...args], { env: env(options.env), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const listening = new Promise<Started>((done, fail) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(/^listening on (http:\/\/\S+)$/m);
      if (match) done({ child, url: match[1] as string, line: match[0], stdout: () => stdout, exited });
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    void exited.then(({ code }) => fail(new Error(`exited with ${code} before listening: ${stderr}`)));
  });
  const output = () => ({ stdout, stderr });
  return { child, listening, exited, output };
}

async function stopWithin(started: Started, ms: number) {
  const before = Date.now();
  started.child.kill("SIGTERM");
  const result = await Promise.race([
    started.exited,
    new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no exit within ${ms} ms`)), ms)),
  ]);
  return { ...result, ms: Date.now() - before };
}

describe("start and stop", () => {
  it("prints `listening on http://HOST:PORT` with the real port, serves, and stops cleanly on SIGTERM", async () => {
    const data = freshDir();
    const run = start(["--listen", "127.0.0.1:0", "--data", data, "--log-level", "warn"]);
    const server = await run.listening;
    try {
      expect(server.line).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9]\d{0,4}$/);
      const versions = await fetch(`${server.url}/_matrix/client/versions`);
      expect(versions.status).toBe(200);
      expect((await versions.json()).versions).toContain("v1.1");
      // The default public base URL follows the real port.
      const wellKnown = await (await fetch(`${server.url}/.well-known/matrix/client`)).json();
      expect(wellKnown["m.homeserver"].base_url).toBe(server.url);
    } finally {
      const stopped = await stopWithin(server, 5000);
      expect(stopped).toMatchObject({ code: 0, signal: null });
    }
    // The SQLite file was closed: the WAL is checkpointed into the database (and removed).
    const file = join(data, "lattice.db");
    expect(existsSync(file)).toBe(true);
    const wal = `${file}-wal`;
    if (existsSync(wal)) expect(statSync(wal).size).toBe(0);
    const db = new BetterSqlite3(file);
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const keys = db.prepare("select count(*) as n from server_signing_keys").get() as { n: number };
      expect(keys.n).toBe(1);
    } finally {
      db.close();
    }
  });

  it("finishes an in-flight request before exiting, and a restart on the same data keeps the key", async () => {
    const data = freshDir();
    const first = await start(["--listen", "127.0.0.1:0", "--data", data, "--log-level", "warn"]).listening;
    const keyBefore = await (await fetch(`${first.url}/_matrix/key/v2/server`)).json();
    // A login is slow (scrypt): SIGTERM while it runs must still answer it.
    const login = fetch(`${first.url}/_matrix/client/v3/login`, {
      method: "POST",
      body: JSON.stringify({
        type: "m.login.password",
        identifier: { type: "m.id.user", user: "x" },
        password: "y",
      }),
    });
    await new Promise((r) => setTimeout(r, 20));
    const stopped = stopWithin(first, 5000);
    expect((await login).status).toBe(403);
    expect((await stopped).code).toBe(0);

    const second = await start(["--listen", "127.0.0.1:0", "--data", data, "--log-level", "warn"]).listening;
    try {
      const keyAfter = await (await fetch(`${second.url}/_matrix/key/v2/server`)).json();
      expect(Object.keys(keyAfter.verify_keys)).toEqual(Object.keys(keyBefore.verify_keys));
    } finally {
      expect((await stopWithin(second, 5000)).code).toBe(0);
    }
  });

  it("runs its helper threads (V8's compiler and GC helpers) at nice 19 and SCHED_IDLE, the event loop at 0", async () => {
    // src/runtime/node/helper-threads.ts: a 1–6 ms optimizing compile must not hold the event
    // loop's CPU while a woken request waits. Read from Linux's per-thread stat files.
    const server = await start(["--listen", "127.0.0.1:0", "--data", freshDir(), "--log-level", "warn"])
      .listening;
    try {
      const pid = server.child.pid as number;
      // Field `n` (1-based, as proc(5) counts) of a thread's stat line, read after the command
      // name, which may hold spaces: nice is field 19, the scheduling policy field 41.
      const statField = (tid: string, n: number) => {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[n - 3]);
      };
      const niceOf = (tid: string) => statField(tid, 19);
      const policyOf = (tid: string) => statField(tid, 41);
      const threads = readdirSync(`/proc/${pid}/task`);
      expect(niceOf(String(pid))).toBe(0);
      const helpers = threads.filter((tid) => tid !== String(pid));
      expect(helpers.length).toBeGreaterThanOrEqual(4);
      // Threads libuv starts later (its pool) are the main thread's children and keep its 0; the
      // ones running from the start are V8's platform workers.
      expect(helpers.map(niceOf).filter((nice) => nice === 19).length).toBeGreaterThanOrEqual(4);
      // ...and, where util-linux's chrt exists (Debian, CI), SCHED_IDLE (5), set in the background;
      // the event loop keeps SCHED_OTHER (0).
      if (spawnSync("chrt", ["--version"]).status === 0) {
        await expect
          .poll(() => helpers.filter((tid) => policyOf(tid) === 5).length, { timeout: 5000 })
          .toBeGreaterThanOrEqual(4);
      }
      expect(policyOf(String(pid))).toBe(0);
      const versions = await fetch(`${server.url}/_matrix/client/versions`);
      expect((await versions.json()).versions).toContain("v1.1");
    } finally {
      expect((await stopWithin(server, 5000)).code).toBe(0);
    }
  });

  it("does not let a pending long-poll /sync hold the stop beyond the grace period", async () => {
    const server = await start([
      "--listen",
      "127.0.0.1:0",
      "--data",
      freshDir(),
      "--log-level",
      "warn",
      "--open-registration",
      "--no-rate-limits",
    ]).listening;
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
    const first = await post("/_matrix/client/v3/register", { username: "poller", password: "pw" });
    const user = await post("/_matrix/client/v3/register", {
      username: "poller",
      password: "pw",
      auth: { type: "m.login.dummy", session: first.session },
    });
    const headers = { authorization: `Bearer ${user.access_token}` };
    const initial = await (await fetch(`${server.url}/_matrix/client/v3/sync`, { headers })).json();
    const poll = fetch(`${server.url}/_matrix/client/v3/sync?timeout=60000&since=${initial.next_batch}`, {
      headers,
    }).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await stopWithin(server, 8000);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(6000);
    await poll;
  });

  it("stops with exit code 0 on SIGTERM when run through the tsx CLI, as `npm start` does", async () => {
    const run = start(["--listen", "127.0.0.1:0", "--data", freshDir(), "--log-level", "warn"], {
      viaTsxCli: true,
    });
    const server = await run.listening;
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await stopWithin(server, 5000)).code).toBe(0);
  });

  it("reads its settings from LATTICE_* variables and a YAML file; flags win", async () => {
    const data = freshDir();
    const file = join(root, "startup.yaml");
    writeFileSync(
      file,
      `server_name: file.example\nlisten: 127.0.0.1:0\ndata_dir: ${data}\nlog_level: warn\n`,
    );
    const server = await start(["--config", file, "--federation-endpoint", "flag.example:443"], {
      env: { LATTICE_SERVER_NAME: "env.example", LATTICE_FEDERATION_ENDPOINT: "env.example:443" },
    }).listening;
    try {
      const keys = await (await fetch(`${server.url}/_matrix/key/v2/server`)).json();
      expect(keys.server_name).toBe("env.example");
      const delegation = await (await fetch(`${server.url}/.well-known/matrix/server`)).json();
      expect(delegation).toEqual({ "m.server": "flag.example:443" });
      expect(existsSync(join(data, "lattice.db"))).toBe(true);
    } finally {
      await stopWithin(server, 5000);
    }
  });
});

describe("bad configuration", () => {
  async function refused(args: string[], extraEnv: Record<string, string> = {}) {
    const run = start(args, { env: extraEnv });
    run.listening.catch(() => {});
    const { code } = await run.exited;
    return { code, ...run.output() };
  }

  it("--listen nonsense: exit code 2, naming the key and how to set it", async () => {
    const result = await refused(["--listen", "nonsense", "--data", freshDir()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('invalid configuration key "listen"');
    expect(result.stderr).toContain("HOST:PORT");
    expect(result.stderr).toContain("--listen");
    expect(result.stderr).toContain("LATTICE_LISTEN");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a YAML file with an unknown key: exit code 2, naming the key and the likely intended one", async () => {
    const file = join(root, "unknown-key.yaml");
    writeFileSync(file, "listen: 127.0.0.1:0\nserver_nmae: example.org\n");
    const result = await refused(["--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"server_nmae"');
    expect(result.stderr).toContain('did you mean "server_name"');
  });

  it("a YAML file with a wrong type: exit code 2, naming the key and what is allowed", async () => {
    const file = join(root, "wrong-type.yaml");
    writeFileSync(file, "listen: 127.0.0.1:0\nmax_request_body_bytes: lots\n");
    const result = await refused(["--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"max_request_body_bytes"');
    expect(result.stderr).toContain("number");
    expect(result.stderr).toContain("--max-request-body-bytes");
  });

  it("a bad environment variable and an unknown flag: exit code 2", async () => {
    const badEnv = await refused(["--listen", "127.0.0.1:0", "--data", freshDir()], {
      LATTICE_RATE_LIMITS: "sometimes",
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain("LATTICE_RATE_LIMITS");
    const badFlag = await refused(["--frobnicate"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option --frobnicate");
  });
});
