/**
 * Vitest global setup: starts a throwaway PostgreSQL cluster (initdb into a temp folder) when the
 * binaries are installed, and hands its URL to the tests as LATTICE_TEST_POSTGRES_URL. As root,
 * the cluster runs as the `postgres` user (or `nobody`), because initdb refuses to run as root.
 * Without the binaries the PostgreSQL half of the store contract suite is not run, and says so;
 * CI installs them (see .ci/run) and sets LATTICE_REQUIRE_POSTGRES=1 so a missing server fails.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function findBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

function runAsUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", name]).toString().trim());
      return { uid, gid, name };
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

let server: ChildProcess | undefined;
let dataRoot: string | undefined;

export async function setup(): Promise<void> {
  if (process.env.LATTICE_TEST_POSTGRES_URL) return;
  const bin = findBinDir();
  if (!bin) {
    if (process.env.LATTICE_REQUIRE_POSTGRES === "1") {
      throw new Error("PostgreSQL binaries not found (install the Debian package postgresql)");
    }
    console.warn("[postgres] binaries not found: the PostgreSQL store contract suite will not run");
    return;
  }
  dataRoot = mkdtempSync(join(tmpdir(), "lattice-pg-"));
  chmodSync(dataRoot, 0o777);
  const dataDir = join(dataRoot, "data");
  const user = runAsUser();
  const spawnOpts = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) chownSync(dataRoot, user.uid, user.gid);
  execFileSync(
    join(bin, "initdb"),
    ["-D", dataDir, "-U", "lattice", "--auth=trust", "-E", "UTF8", "--no-sync"],
    {
      ...spawnOpts,
      stdio: "ignore",
    },
  );
  const port = await freePort();
  server = spawn(
    join(bin, "postgres"),
    ["-D", dataDir, "-p", String(port), "-h", "127.0.0.1", "-k", dataRoot, "-F", "-c", "max_connections=200"],
    { ...spawnOpts, stdio: "ignore" },
  );
  const url = `postgres://lattice@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      process.env.LATTICE_TEST_POSTGRES_URL = url;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("PostgreSQL did not become ready");
}

export async function teardown(): Promise<void> {
  if (server) {
    server.kill("SIGINT");
    await new Promise((r) => server?.once("exit", r));
  }
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
}
