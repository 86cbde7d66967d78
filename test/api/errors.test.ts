/**
 * How the server refuses what it cannot serve (spec: client-server-api "Standard error response",
 * "Unrecognised requests", "Rate limiting", "Using access tokens", "Web Browser Clients"): each
 * failure has its status and errcode, every response carries the CORS headers, and none of it takes
 * the server down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

const MAX_BODY = 2048;

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer([
    "--open-registration",
    "--no-rate-limits",
    "--max-request-body-bytes",
    String(MAX_BODY),
    "--refreshable-access-token-lifetime-ms",
    "1",
  ]);
  user = await registerUser(server.http, "errors", "errors-pw");
});
afterAll(() => server.close());

const LOGIN = "/_matrix/client/v3/login";
const REFRESH = "/_matrix/client/v3/refresh";
const WHOAMI = "/_matrix/client/v3/account/whoami";

const postRaw = (path: string, rawBody: string) =>
  server.http.request("POST", path, { rawBody, headers: { "content-type": "application/json" } });

describe("malformed bodies", () => {
  it("answers a body that is not JSON with 400 M_NOT_JSON", async () => {
    for (const rawBody of ["{not json", '{"a":1', "'single'", "\u00ff"]) {
      const res = await postRaw(LOGIN, rawBody);
      expect(res.status, rawBody).toBe(400);
      expect(res.body.errcode, rawBody).toBe("M_NOT_JSON");
      expect(typeof res.body.error).toBe("string");
    }
  });

  it("answers invalid UTF-8 with M_NOT_JSON", async () => {
    const res = await fetch(server.url + LOGIN, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errcode).toBe("M_NOT_JSON");
  });

  it("answers JSON that is not an object (array, string, number, null) with M_NOT_JSON", async () => {
    for (const rawBody of ["[]", '[{"type":"m.login.password"}]', '"text"', "42", "null"]) {
      const res = await postRaw(LOGIN, rawBody);
      expect(res.status, rawBody).toBe(400);
      expect(res.body.errcode, rawBody).toBe("M_NOT_JSON");
    }
  });

  it("answers fields of the wrong type with 400 M_BAD_JSON naming the field", async () => {
    const refresh = await server.http.post(REFRESH, { refresh_token: 5 });
    expect(refresh.status).toBe(400);
    expect(refresh.body.errcode).toBe("M_BAD_JSON");
    expect(refresh.body.error).toContain("refresh_token");

    const register = await server.http.post("/_matrix/client/v3/register", {
      username: "typed",
      password: ["not", "a", "string"],
    });
    expect(register.status).toBe(400);
    expect(register.body.errcode).toBe("M_BAD_JSON");
    expect(register.body.error).toContain("password");

    const password = await server.http.post(
      "/_matrix/client/v3/account/password",
      { new_password: 12345 },
      user.accessToken,
    );
    expect(password.status).toBe(400);
    expect(password.body.errcode).toBe("M_BAD_JSON");
    expect(password.body.error).toContain("new_password");
  });

  it("answers a missing required field with 400 naming the field", async () => {
    const res = await server.http.post(REFRESH, {});
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_BAD_JSON");
    expect(res.body.error).toContain("refresh_token");
  });
});

describe("oversized bodies", () => {
  const big = JSON.stringify({ refresh_token: "x".repeat(MAX_BODY) });

  it("refuses a body over max_request_body_bytes with 413 M_TOO_LARGE", async () => {
    const res = await postRaw(REFRESH, big);
    expect(res.status).toBe(413);
    expect(res.body.errcode).toBe("M_TOO_LARGE");
  });

  it("refuses an oversized body sent without Content-Length (chunked)", async () => {
    const bytes = new TextEncoder().encode(big);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 256) controller.enqueue(bytes.subarray(i, i + 256));
        controller.close();
      },
    });
    const res = await fetch(server.url + REFRESH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).errcode).toBe("M_TOO_LARGE");
  });

  it("accepts a body just under the limit", async () => {
    const padding = "y".repeat(MAX_BODY - 100);
    const res = await server.http.post(REFRESH, { refresh_token: "latr_unknown", padding });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_UNKNOWN_TOKEN");
  });
});

describe("access tokens", () => {
  it("answers a request without a token with 401 M_MISSING_TOKEN", async () => {
    const res = await server.http.get(WHOAMI);
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_MISSING_TOKEN");
  });

  it("answers an unknown token with 401 M_UNKNOWN_TOKEN and soft_logout false", async () => {
    for (const token of ["lat_not-a-real-token", "garbage"]) {
      const res = await server.http.get(WHOAMI, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: false });
    }
    const query = await server.http.get(`${WHOAMI}?access_token=nope`);
    expect(query.body).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: false });
  });

  it("answers an expired refreshable token with 401 M_UNKNOWN_TOKEN and soft_logout true", async () => {
    const login = await server.http.post(LOGIN, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "errors" },
      password: "errors-pw",
      refresh_token: true,
    });
    expect(login.status).toBe(200);
    expect(login.body.expires_in_ms).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const res = await server.http.get(WHOAMI, login.body.access_token);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: true });
    // Soft logout: the refresh token still gets the device a new access token.
    const refreshed = await server.http.post(REFRESH, { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.access_token).toBe("string");
  });
});

describe("unrecognised requests", () => {
  it("answers unknown paths with 404 M_UNRECOGNIZED", async () => {
    for (const path of [
      "/_matrix/client/v3/no-such-endpoint",
      "/_matrix/client/v1/login",
      "/_matrix/federation/v1/nothing",
      "/nothing/at/all",
    ]) {
      const res = await server.http.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.errcode, path).toBe("M_UNRECOGNIZED");
    }
  });

  it("answers a known path with the wrong method with 405 M_UNRECOGNIZED", async () => {
    for (const [method, path] of [
      ["DELETE", LOGIN],
      ["GET", "/_matrix/client/v3/logout"],
      ["PUT", "/_matrix/client/versions"],
      ["POST", WHOAMI],
    ] as const) {
      const res = await server.http.request(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.body.errcode, `${method} ${path}`).toBe("M_UNRECOGNIZED");
    }
  });
});

describe("CORS", () => {
  const expectCors = (headers: Headers, what: string) => {
    expect(headers.get("access-control-allow-origin"), what).toBe("*");
    const methods = headers.get("access-control-allow-methods") ?? "";
    for (const method of ["GET", "POST", "PUT", "DELETE", "OPTIONS"]) expect(methods, what).toContain(method);
    const allowed = (headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const header of ["x-requested-with", "content-type", "authorization"]) {
      expect(allowed, what).toContain(header);
    }
  };

  it("puts the CORS headers on successes and on every kind of error", async () => {
    expectCors((await server.http.get("/_matrix/client/versions")).headers, "200");
    expectCors((await server.http.get(WHOAMI, user.accessToken)).headers, "200 authenticated");
    expectCors((await postRaw(LOGIN, "{")).headers, "400");
    expectCors((await server.http.get(WHOAMI)).headers, "401");
    expectCors((await server.http.get("/_matrix/client/v3/nope")).headers, "404");
    expectCors((await server.http.request("DELETE", LOGIN)).headers, "405");
    expectCors((await postRaw(REFRESH, "x".repeat(MAX_BODY + 1))).headers, "413");
  });

  it("answers an OPTIONS preflight on any path, known or not, without auth", async () => {
    for (const path of [
      LOGIN,
      WHOAMI,
      "/_matrix/client/v3/rooms/!room:localhost/send/m.room.message/txn1",
      "/_matrix/media/v3/upload",
      "/anything",
    ]) {
      const res = await fetch(server.url + path, {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example.org",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(res.status, path).toBeGreaterThanOrEqual(200);
      expect(res.status, path).toBeLessThan(300);
      expectCors(res.headers, `OPTIONS ${path}`);
    }
  });
});

describe("after all of that", () => {
  it("still answers /versions", async () => {
    const res = await server.http.get("/_matrix/client/versions");
    expect(res.status).toBe(200);
    expect(res.body.versions).toContain("v1.1");
  });
});

describe("rate limiting", () => {
  const badLogin = (target: TestServer) =>
    target.http.post(LOGIN, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "nobody" },
      password: "wrong",
    });

  it("refuses the 6th rapid login from one address with 429 M_LIMIT_EXCEEDED and retry_after_ms", async () => {
    const limited = await startTestServer([]);
    try {
      for (let i = 0; i < 5; i++) expect((await badLogin(limited)).status).toBe(403);
      const sixth = await badLogin(limited);
      expect(sixth.status).toBe(429);
      expect(sixth.body.errcode).toBe("M_LIMIT_EXCEEDED");
      expect(typeof sixth.body.retry_after_ms).toBe("number");
      expect(sixth.body.retry_after_ms).toBeGreaterThan(0);
      expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
      expectCorsOrigin(sixth.headers);
      // Other endpoints are not limited by the login limiter.
      expect((await limited.http.get("/_matrix/client/versions")).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("does not limit with --no-rate-limits", async () => {
    for (let i = 0; i < 12; i++) expect((await badLogin(server)).status).toBe(403);
  });
});

function expectCorsOrigin(headers: Headers): void {
  expect(headers.get("access-control-allow-origin")).toBe("*");
}
