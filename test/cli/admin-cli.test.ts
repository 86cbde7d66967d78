/**
 * The admin CLI as other tools drive it: the real entry point in a child process, on a temporary data
 * folder, then a real server on the same folder to prove the store changed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

const TSX = resolve("node_modules/.bin/tsx");
const CLI = resolve("src/runtime/node/admin-cli.ts");

let dataDir: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function lattice(...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(TSX, [CLI, ...args, "--data", dataDir], { env: cleanEnv() }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The CLI reads LATTICE_* variables; the test's own environment must not leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("LATTICE_")));
}

function startOnDataDir(args: string[] = []): Promise<TestServer> {
  return startTestServer(args, { database: `sqlite:${join(dataDir, "lattice.db")}` });
}

const login = (server: TestServer, user: string, password: string) =>
  server.http.post("/_matrix/client/v3/login", {
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
  });

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "lattice-cli-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("lattice user", () => {
  it("creates a user with a given password, who can then log in", async () => {
    const created = await lattice("user", "create", "alice", "--password", "alice-pw");
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout).toBe("created @alice:localhost\n");
    const server = await startOnDataDir();
    try {
      const res = await login(server, "alice", "alice-pw");
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe("@alice:localhost");
    } finally {
      await server.close();
    }
  });

  it("generates and prints a password when none is given; --admin makes an admin", async () => {
    const created = await lattice("user", "create", "boss", "--admin", "--json");
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({ user_id: "@boss:localhost", admin: true, deactivated: false });
    expect(body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const human = await lattice("user", "create", "carol");
    expect(human.stdout).toMatch(/^created @carol:localhost with password [A-Za-z0-9]{20}\n$/);
    const server = await startOnDataDir();
    try {
      expect((await login(server, "boss", body.password)).status).toBe(200);
      expect((await server.services.store.users.get("@boss:localhost"))?.isAdmin).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("refuses an existing user with exit code 1 and a clear message", async () => {
    const again = await lattice("user", "create", "alice", "--password", "x");
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("@alice:localhost already exists");
  });

  it("refuses an invalid user name", async () => {
    const bad = await lattice("user", "create", "not valid");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lattice: /);
  });

  it("lists users, one line each or JSON", async () => {
    const human = await lattice("user", "list");
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split("\n")).toEqual([
      "@alice:localhost",
      "@boss:localhost admin",
      "@carol:localhost",
    ]);
    const json = JSON.parse((await lattice("user", "list", "--json")).stdout);
    expect(json.map((u: { user_id: string }) => u.user_id)).toEqual([
      "@alice:localhost",
      "@boss:localhost",
      "@carol:localhost",
    ]);
  });

  it("deactivates a user, by name or user ID; the user can no longer log in", async () => {
    const done = await lattice("user", "deactivate", "@alice:localhost");
    expect(done).toMatchObject({ code: 0, stdout: "deactivated @alice:localhost\n" });
    expect((await lattice("user", "list")).stdout).toContain("@alice:localhost deactivated\n");
    const server = await startOnDataDir();
    try {
      expect((await login(server, "alice", "alice-pw")).status).toBe(403);
    } finally {
      await server.close();
    }
    const missing = await lattice("user", "deactivate", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No local user nobody");
  });
});

describe("lattice registration-token", () => {
  it("creates a random 16-character token that registers exactly --uses accounts", async () => {
    const server = await startOnDataDir();
    try {
      // Created while the server runs: both processes share the SQLite file.
      const created = await lattice("registration-token", "create", "--uses", "1");
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^[A-Za-z0-9]{16}$/);
      const validity = await server.http.get(
        `/_matrix/client/v1/register/m.login.registration_token/validity?token=${token}`,
      );
      expect(validity.body).toEqual({ valid: true });
      expect((await registerWithToken(server, "dora", token)).status).toBe(200);
      expect((await registerWithToken(server, "ed", token)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it("takes a chosen token and an expiry, and lists tokens", async () => {
    const created = await lattice(
      "registration-token",
      "create",
      "--token",
      "team-2030",
      "--expires",
      "2030-01-31T12:00:00Z",
      "--json",
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({
      token: "team-2030",
      uses_allowed: null,
      pending: 0,
      completed: 0,
      expiry_time: Date.parse("2030-01-31T12:00:00Z"),
    });
    const list = await lattice("registration-token", "list");
    expect(list.stdout).toContain("team-2030 uses 0/unlimited expires 2030-01-31T12:00:00.000Z\n");
    expect(list.stdout).toMatch(/^[A-Za-z0-9]{16} uses 1\/1 never expires$/m);
    const json = JSON.parse((await lattice("registration-token", "list", "--json")).stdout);
    expect(json).toHaveLength(2);
  });

  it("refuses a duplicate token, bad --uses, --expires and --token values", async () => {
    const duplicate = await lattice("registration-token", "create", "--token", "team-2030");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("already exists");
    const bad = [
      ["--uses", "0"],
      ["--uses", "two"],
      ["--expires", "next tuesday"],
      ["--token", "has space"],
    ];
    const results = await Promise.all(bad.map((args) => lattice("registration-token", "create", ...args)));
    results.forEach((res, i) => {
      expect(res.code, bad[i]?.join(" ")).toBe(2);
      expect(res.stderr).toContain(bad[i]?.[0]);
    });
  });
});

describe("command line", () => {
  it("exits 2 with usage on an unknown command or option", async () => {
    const unknown = await lattice("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain("user create NAME");
    const option = await lattice("user", "list", "--frob");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option --frob");
  });

  it("reads the server settings: --server-name and a YAML --config", async () => {
    const named = await lattice("user", "create", "zed", "--password", "p", "--server-name", "example.org");
    expect(named.stdout).toBe("created @zed:example.org\n");
    const configFile = join(dataDir, "lattice.yaml");
    writeFileSync(configFile, "server_name: example.org\n");
    const list = await lattice("user", "list", "--config", configFile);
    expect(list.stdout).toContain("@zed:example.org\n");
    writeFileSync(configFile, "server_nam: typo.org\n");
    const bad = await lattice("user", "list", "--config", configFile);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("server_nam");
  });
});

async function registerWithToken(server: TestServer, username: string, token: string) {
  const first = await server.http.post("/_matrix/client/v3/register", { username, password: "pw" });
  return server.http.post("/_matrix/client/v3/register", {
    username,
    password: "pw",
    auth: { type: "m.login.registration_token", token, session: first.body.session },
  });
}
