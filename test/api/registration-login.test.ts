import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
});
afterAll(() => server.close());

describe("POST /register", () => {
  it("answers the first request with the UIA flows and a session", async () => {
    const res = await server.http.post("/_matrix/client/v3/register", { username: "flows", password: "pw" });
    expect(res.status).toBe(401);
    expect(res.body.flows).toEqual([
      { stages: ["m.login.registration_token"] },
      { stages: ["m.login.dummy"] },
    ]);
    expect(typeof res.body.session).toBe("string");
    expect(res.body.completed).toEqual([]);
  });

  it("registers with m.login.dummy and logs the new device in", async () => {
    const user = await registerUser(server.http, "alice");
    expect(user.userId).toBe("@alice:localhost");
    expect(user.accessToken).toMatch(/^lat_/);
    const whoami = await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken);
    expect(whoami.body).toEqual({ user_id: "@alice:localhost", device_id: user.deviceId, is_guest: false });
  });

  it("refuses a taken username before asking for auth (M_USER_IN_USE)", async () => {
    const res = await server.http.post("/_matrix/client/v3/register", { username: "alice", password: "pw" });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_USER_IN_USE");
    const available = await server.http.get("/_matrix/client/v3/register/available?username=alice");
    expect(available.body.errcode).toBe("M_USER_IN_USE");
    const free = await server.http.get("/_matrix/client/v3/register/available?username=nobody-yet");
    expect(free.body).toEqual({ available: true });
  });

  it("enforces the localpart grammar and reserved names", async () => {
    const bad = await server.http.post("/_matrix/client/v3/register", {
      username: "Ünïcode",
      password: "pw",
    });
    expect(bad.body.errcode).toBe("M_INVALID_USERNAME");
    const spaces = await server.http.get("/_matrix/client/v3/register/available?username=a%20b");
    expect(spaces.body.errcode).toBe("M_INVALID_USERNAME");
    const reserved = await server.http.post("/_matrix/client/v3/register", {
      username: "admin",
      password: "pw",
    });
    expect(reserved.body.errcode).toBe("M_USER_IN_USE");
  });

  it("honours inhibit_login and initial_device_display_name", async () => {
    const first = await server.http.post("/_matrix/client/v3/register", {
      username: "quiet",
      password: "pw",
    });
    const res = await server.http.post("/_matrix/client/v3/register", {
      username: "quiet",
      password: "pw",
      inhibit_login: true,
      auth: { type: "m.login.dummy", session: first.body.session },
    });
    expect(res.body).toEqual({ user_id: "@quiet:localhost" });
    const named = await registerUserWithDevice("named", "Work laptop");
    const device = await server.services.store.devices.get("@named:localhost", named.device_id);
    expect(device?.displayName).toBe("Work laptop");
  });

  it("refuses guest registration, which is off by default", async () => {
    const res = await server.http.post("/_matrix/client/v3/register?kind=guest", {});
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });
});

async function registerUserWithDevice(username: string, deviceName: string) {
  const first = await server.http.post("/_matrix/client/v3/register", { username, password: "pw" });
  const res = await server.http.post("/_matrix/client/v3/register", {
    username,
    password: "pw",
    initial_device_display_name: deviceName,
    auth: { type: "m.login.dummy", session: first.body.session },
  });
  return res.body as { device_id: string };
}

describe("login and logout", () => {
  it("lists m.login.password", async () => {
    const res = await server.http.get("/_matrix/client/v3/login");
    expect(res.body.flows).toContainEqual({ type: "m.login.password" });
  });

  it("logs in by localpart and by full user ID, on the r0 path too", async () => {
    await registerUser(server.http, "bob", "secret-1");
    const byLocalpart = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "bob" },
      password: "secret-1",
    });
    expect(byLocalpart.status).toBe(200);
    expect(byLocalpart.body.user_id).toBe("@bob:localhost");
    expect(byLocalpart.body.well_known["m.homeserver"].base_url).toBe(server.config.publicBaseUrl);
    const byUserId = await server.http.post("/_matrix/client/r0/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "@bob:localhost" },
      password: "secret-1",
      device_id: "MYDEVICE",
    });
    expect(byUserId.body.device_id).toBe("MYDEVICE");
  });

  it("refuses a wrong password with M_FORBIDDEN", async () => {
    const res = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "bob" },
      password: "wrong",
    });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe("M_FORBIDDEN");
  });

  it("logout deletes the device and its token; logout/all every device", async () => {
    const user = await registerUser(server.http, "carol");
    const second = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "carol" },
      password: user.password,
    });
    expect((await server.http.post("/_matrix/client/v3/logout", {}, user.accessToken)).status).toBe(200);
    const refused = await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: false });
    expect(await server.services.store.devices.get("@carol:localhost", user.deviceId)).toBeUndefined();
    const third = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "carol" },
      password: user.password,
    });
    await server.http.post("/_matrix/client/v3/logout/all", {}, third.body.access_token);
    expect(
      (await server.http.get("/_matrix/client/v3/account/whoami", second.body.access_token)).status,
    ).toBe(401);
    expect(await server.services.store.devices.list("@carol:localhost")).toEqual([]);
  });

  it("accepts the deprecated access_token query parameter", async () => {
    const user = await registerUser(server.http, "legacy");
    const res = await server.http.get(`/_matrix/client/v3/account/whoami?access_token=${user.accessToken}`);
    expect(res.body.user_id).toBe("@legacy:localhost");
  });
});

describe("refresh tokens", () => {
  it("issues a refresh token on request and rotates it once", async () => {
    await registerUser(server.http, "dave", "pw-dave");
    const login = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "dave" },
      password: "pw-dave",
      refresh_token: true,
    });
    expect(login.body.refresh_token).toMatch(/^latr_/);
    expect(login.body.expires_in_ms).toBe(5 * 60 * 1000);
    const refreshed = await server.http.post("/_matrix/client/v3/refresh", {
      refresh_token: login.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(login.body.access_token);
    const whoami = await server.http.get("/_matrix/client/v3/account/whoami", refreshed.body.access_token);
    expect(whoami.body).toMatchObject({ user_id: "@dave:localhost", device_id: login.body.device_id });
    expect((await server.http.get("/_matrix/client/v3/account/whoami", login.body.access_token)).status).toBe(
      401,
    );
    const reused = await server.http.post("/_matrix/client/v3/refresh", {
      refresh_token: login.body.refresh_token,
    });
    expect(reused.status).toBe(401);
    expect(reused.body.errcode).toBe("M_UNKNOWN_TOKEN");
  });
});

describe("password change and deactivation", () => {
  it("changes the password through m.login.password UIA and logs out other devices", async () => {
    const user = await registerUser(server.http, "erin", "old-pw");
    const other = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "erin" },
      password: "old-pw",
    });
    const challenge = await server.http.post(
      "/_matrix/client/v3/account/password",
      { new_password: "new-pw" },
      user.accessToken,
    );
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    const wrong = await server.http.post(
      "/_matrix/client/v3/account/password",
      {
        new_password: "new-pw",
        auth: {
          type: "m.login.password",
          identifier: { type: "m.id.user", user: "erin" },
          password: "nope",
          session: challenge.body.session,
        },
      },
      user.accessToken,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe("M_FORBIDDEN");
    const done = await server.http.post(
      "/_matrix/client/v3/account/password",
      {
        new_password: "new-pw",
        auth: {
          type: "m.login.password",
          identifier: { type: "m.id.user", user: "erin" },
          password: "old-pw",
          session: challenge.body.session,
        },
      },
      user.accessToken,
    );
    expect(done.status).toBe(200);
    expect((await server.http.get("/_matrix/client/v3/account/whoami", other.body.access_token)).status).toBe(
      401,
    );
    expect((await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken)).status).toBe(200);
    const relogin = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "erin" },
      password: "new-pw",
    });
    expect(relogin.status).toBe(200);
  });

  it("deactivates an account: tokens die and login is refused", async () => {
    const user = await registerUser(server.http, "frank", "pw-frank");
    const auth = {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "frank" },
      password: "pw-frank",
    };
    const res = await server.http.post("/_matrix/client/v3/account/deactivate", { auth }, user.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id_server_unbind_result: "no-support" });
    expect((await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken)).status).toBe(401);
    const login = await server.http.post("/_matrix/client/v3/login", { ...auth, type: "m.login.password" });
    expect(login.status).toBe(403);
    expect((await server.http.get("/_matrix/client/v3/register/available?username=frank")).body.errcode).toBe(
      "M_USER_IN_USE",
    );
  });
});
