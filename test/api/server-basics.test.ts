/**
 * What a client, a peer server or an operator's tool asks first: versions, discovery, capabilities,
 * health and metrics, the server's signing key, and Synapse's shared-secret admin registration.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeBase64 } from "../../src/protocol/base64.js";
import type { JsonObject } from "../../src/protocol/json.js";
import { publicKeyBase64FromSeed, verifyJsonSignature } from "../../src/protocol/signing.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

const SHARED_SECRET = "a-shared-secret-of-some-length";

/** Defaults: no delegation, no shared secret. */
let plain: TestServer;
/** With --federation-endpoint, --public-baseurl and --registration-shared-secret. */
let configured: TestServer;
let user: TestUser;

beforeAll(async () => {
  [plain, configured] = await Promise.all([
    startTestServer(["--open-registration", "--no-rate-limits"]),
    startTestServer([
      "--no-rate-limits",
      "--server-name",
      "example.org",
      "--public-baseurl",
      "https://matrix.example.org/",
      "--federation-endpoint",
      "matrix.example.org:443",
      "--registration-shared-secret",
      SHARED_SECRET,
    ]),
  ]);
  user = await registerUser(plain.http, "basic");
});
afterAll(() => Promise.all([plain?.close(), configured?.close()]));

describe("GET /_matrix/client/versions", () => {
  it("lists the spec versions from v1.1 and an unstable_features object, without auth", async () => {
    const res = await plain.http.get("/_matrix/client/versions");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const versions: string[] = res.body.versions;
    for (let minor = 1; minor <= 12; minor++) expect(versions).toContain(`v1.${minor}`);
    for (const v of versions) expect(v).toMatch(/^(r0\.\d+\.\d+|v\d+\.\d+)$/);
    expect(typeof res.body.unstable_features).toBe("object");
    expect(Array.isArray(res.body.unstable_features)).toBe(false);
    for (const flag of Object.values(res.body.unstable_features)) expect(typeof flag).toBe("boolean");
  });
});

describe("/.well-known/matrix", () => {
  it("client: the base URL, defaulting to the listen address", async () => {
    const res = await plain.http.get("/.well-known/matrix/client");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ "m.homeserver": { base_url: plain.url } });
  });

  it("client: the configured public base URL, without a trailing slash", async () => {
    const res = await configured.http.get("/.well-known/matrix/client");
    expect(res.body).toEqual({ "m.homeserver": { base_url: "https://matrix.example.org" } });
  });

  it("server: 404 unless --federation-endpoint is set, then m.server", async () => {
    const none = await plain.http.get("/.well-known/matrix/server");
    expect(none.status).toBe(404);
    expect(typeof none.body.errcode).toBe("string");
    const delegated = await configured.http.get("/.well-known/matrix/server");
    expect(delegated.status).toBe(200);
    expect(delegated.body).toEqual({ "m.server": "matrix.example.org:443" });
  });
});

describe("GET /capabilities", () => {
  it("needs an access token", async () => {
    const res = await plain.http.get("/_matrix/client/v3/capabilities");
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_MISSING_TOKEN");
  });

  it("offers room versions 1-12 as stable with 12 the default, and password change", async () => {
    for (const prefix of ["/_matrix/client/v3", "/_matrix/client/r0"]) {
      const res = await plain.http.get(`${prefix}/capabilities`, user.accessToken);
      expect(res.status).toBe(200);
      const capabilities = res.body.capabilities;
      expect(capabilities["m.room_versions"].default).toBe("12");
      for (let version = 1; version <= 12; version++) {
        expect(capabilities["m.room_versions"].available[String(version)], `v${version}`).toBe("stable");
      }
      expect(capabilities["m.change_password"]).toEqual({ enabled: true });
    }
  });
});

describe("operations endpoints", () => {
  it("GET /health answers OK", async () => {
    const res = await plain.http.get("/health");
    expect(res.status).toBe(200);
    expect(res.body).toBe("OK");
  });

  it("GET /metrics counts the requests just made, with a latency histogram", async () => {
    await plain.http.get("/_matrix/client/versions");
    await plain.http.get("/_matrix/client/versions");
    await plain.http.get("/_matrix/client/v3/no-such-thing");
    const res = await plain.http.get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = res.body as unknown as string;
    expect(text).toContain("# TYPE lattice_http_requests_total counter");
    const versions = text.match(
      /^lattice_http_requests_total\{method="GET",route="\/_matrix\/client\/versions",status="200"\} (\d+)$/m,
    );
    expect(Number(versions?.[1])).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^lattice_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    expect(text).toContain("# TYPE lattice_http_request_duration_seconds histogram");
    const labels = 'method="GET",route="/_matrix/client/versions"';
    expect(text).toMatch(
      new RegExp(
        `^lattice_http_request_duration_seconds_bucket\\{${escapeRegExp(labels)},le="\\+Inf"\\} \\d+$`,
        "m",
      ),
    );
    expect(text).toMatch(
      new RegExp(`^lattice_http_request_duration_seconds_sum\\{${escapeRegExp(labels)}\\} `, "m"),
    );
    expect(text).toMatch(
      new RegExp(`^lattice_http_request_duration_seconds_count\\{${escapeRegExp(labels)}\\} `, "m"),
    );
    // Every sample line parses as `name{labels} number`.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
    }
  });
});

describe("GET /_matrix/key/v2/server", () => {
  it("publishes the stored signing key, self-signed, valid into the future", async () => {
    const res = await configured.http.get<JsonObject>("/_matrix/key/v2/server");
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.server_name).toBe("example.org");
    const stored = await configured.services.store.serverKeys.current();
    expect(stored).toBeDefined();
    const keyId = stored?.keyId as string;
    expect(keyId).toMatch(/^ed25519:[a-zA-Z0-9_]+$/);
    const verifyKeys = body.verify_keys as Record<string, { key: string }>;
    expect(Object.keys(verifyKeys)).toEqual([keyId]);
    const publicKey = verifyKeys[keyId]?.key as string;
    expect(publicKey).toBe(await publicKeyBase64FromSeed(decodeBase64(stored?.seed as string)));
    expect(await verifyJsonSignature(body, "example.org", keyId, publicKey)).toBe(true);
    // The signature covers the body: a changed field no longer verifies.
    expect(await verifyJsonSignature({ ...body, valid_until_ts: 1 }, "example.org", keyId, publicKey)).toBe(
      false,
    );
    expect(body.valid_until_ts as number).toBeGreaterThan(Date.now());
    expect(body.old_verify_keys).toEqual({});
  });

  it("keeps the same key across requests", async () => {
    const a = await plain.http.get("/_matrix/key/v2/server");
    const b = await plain.http.get("/_matrix/key/v2/server");
    expect(Object.keys(a.body.verify_keys)).toEqual(Object.keys(b.body.verify_keys));
  });
});

describe("POST /_synapse/admin/v1/register (shared secret)", () => {
  const PATH = "/_synapse/admin/v1/register";

  const mac = (nonce: string, username: string, password: string, admin: boolean, secret = SHARED_SECRET) =>
    createHmac("sha1", secret)
      .update([nonce, username, password, admin ? "admin" : "notadmin"].join("\0"))
      .digest("hex");

  const nonce = async (server = configured) => {
    const res = await server.http.get(PATH);
    expect(res.status).toBe(200);
    expect(typeof res.body.nonce).toBe("string");
    return res.body.nonce as string;
  };

  it("registers an admin with the right MAC, who can then log in", async () => {
    const n = await nonce();
    const res = await configured.http.post(PATH, {
      nonce: n,
      username: "root-admin",
      password: "admin-pw",
      admin: true,
      mac: mac(n, "root-admin", "admin-pw", true),
    });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe("@root-admin:example.org");
    expect(res.body.home_server).toBe("example.org");
    expect(typeof res.body.access_token).toBe("string");
    expect(typeof res.body.device_id).toBe("string");
    expect((await configured.services.store.users.get("@root-admin:example.org"))?.isAdmin).toBe(true);
    const whoami = await configured.http.get("/_matrix/client/v3/account/whoami", res.body.access_token);
    expect(whoami.body.user_id).toBe("@root-admin:example.org");
    const login = await configured.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "root-admin" },
      password: "admin-pw",
    });
    expect(login.status).toBe(200);
    expect(login.body.user_id).toBe("@root-admin:example.org");
  });

  it("registers a non-admin with notadmin in the MAC", async () => {
    const n = await nonce();
    const res = await configured.http.post(PATH, {
      nonce: n,
      username: "plainuser",
      password: "pw",
      admin: false,
      mac: mac(n, "plainuser", "pw", false),
    });
    expect(res.status).toBe(200);
    expect((await configured.services.store.users.get("@plainuser:example.org"))?.isAdmin).toBe(false);
  });

  it("refuses a wrong MAC with 403, and a MAC over different fields", async () => {
    for (const wrong of [
      mac("other-nonce", "mallory", "pw", true),
      mac("", "mallory", "pw", true, "not-the-secret-at-all"),
      "00".repeat(20),
    ]) {
      const n = await nonce();
      const res = await configured.http.post(PATH, {
        nonce: n,
        username: "mallory",
        password: "pw",
        admin: true,
        mac: wrong,
      });
      expect(res.status).toBe(403);
      expect(res.body.errcode).toBe("M_FORBIDDEN");
    }
    // Claiming admin with a MAC computed for notadmin.
    const n = await nonce();
    const escalated = await configured.http.post(PATH, {
      nonce: n,
      username: "mallory",
      password: "pw",
      admin: true,
      mac: mac(n, "mallory", "pw", false),
    });
    expect(escalated.status).toBe(403);
    expect(await configured.services.store.users.get("@mallory:example.org")).toBeUndefined();
  });

  it("refuses a reused nonce, and an unknown one", async () => {
    const n = await nonce();
    const first = await configured.http.post(PATH, {
      nonce: n,
      username: "once",
      password: "pw",
      admin: false,
      mac: mac(n, "once", "pw", false),
    });
    expect(first.status).toBe(200);
    const again = await configured.http.post(PATH, {
      nonce: n,
      username: "twice",
      password: "pw",
      admin: false,
      mac: mac(n, "twice", "pw", false),
    });
    expect(again.status).toBe(400);
    expect(await configured.services.store.users.get("@twice:example.org")).toBeUndefined();
    const made = await configured.http.post(PATH, {
      nonce: "made-up",
      username: "twice",
      password: "pw",
      admin: false,
      mac: mac("made-up", "twice", "pw", false),
    });
    expect(made.status).toBe(400);
  });

  it("refuses a taken user name with M_USER_IN_USE", async () => {
    const n = await nonce();
    const res = await configured.http.post(PATH, {
      nonce: n,
      username: "root-admin",
      password: "pw",
      admin: false,
      mac: mac(n, "root-admin", "pw", false),
    });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_USER_IN_USE");
  });

  it("answers 400 without a configured secret, for the nonce and the registration", async () => {
    const get = await plain.http.get(PATH);
    expect(get.status).toBe(400);
    const post = await plain.http.post(PATH, {
      nonce: "n",
      username: "someone",
      password: "pw",
      admin: true,
      mac: mac("n", "someone", "pw", true, ""),
    });
    expect(post.status).toBe(400);
    expect(await plain.services.store.users.get("@someone:localhost")).toBeUndefined();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
