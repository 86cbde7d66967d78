import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
});
afterAll(() => server.close());

async function login(user: TestUser, localpart: string, extra: Record<string, unknown> = {}) {
  const res = await server.http.post("/_matrix/client/v3/login", {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: localpart },
    password: user.password,
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.body as { access_token: string; device_id: string };
}

const passwordAuth = (localpart: string, password: string, session?: string) => ({
  type: "m.login.password",
  identifier: { type: "m.id.user", user: localpart },
  password,
  ...(session ? { session } : {}),
});

describe("GET /devices and GET /devices/{deviceId}", () => {
  it("lists the requester's devices with name and last-seen fields", async () => {
    const user = await registerUser(server.http, "lister");
    const second = await login(user, "lister", { initial_device_display_name: "Phone" });
    const res = await server.http.get("/_matrix/client/v3/devices", user.accessToken);
    expect(res.status).toBe(200);
    const devices = res.body.devices as Array<Record<string, unknown>>;
    expect(devices.map((d) => d.device_id).sort()).toEqual([user.deviceId, second.device_id].sort());
    const phone = devices.find((d) => d.device_id === second.device_id);
    expect(phone).toMatchObject({ device_id: second.device_id, display_name: "Phone" });
    expect(typeof phone?.last_seen_ts).toBe("number");
    // The device that made the request has been seen from the loopback address.
    const self = devices.find((d) => d.device_id === user.deviceId);
    expect(self?.last_seen_ip).toMatch(/127\.0\.0\.1|::1/);
    // A device without a name has no display_name key at all (client_device.yaml: "Absent if no name").
    expect(self).not.toHaveProperty("display_name");
  });

  it("gets one device, on the r0 path too; 404 M_NOT_FOUND for an unknown or someone else's device", async () => {
    const user = await registerUser(server.http, "getter");
    const other = await registerUser(server.http, "getter-other");
    const one = await server.http.get(`/_matrix/client/r0/devices/${user.deviceId}`, user.accessToken);
    expect(one.status).toBe(200);
    expect(one.body.device_id).toBe(user.deviceId);
    const unknown = await server.http.get("/_matrix/client/v3/devices/NOPE", user.accessToken);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe("M_NOT_FOUND");
    const foreign = await server.http.get(`/_matrix/client/v3/devices/${other.deviceId}`, user.accessToken);
    expect(foreign.status).toBe(404);
  });

  it("requires an access token", async () => {
    const res = await server.http.get("/_matrix/client/v3/devices");
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_MISSING_TOKEN");
  });
});

describe("PUT /devices/{deviceId}", () => {
  it("renames a device and leaves the name alone when display_name is absent", async () => {
    const user = await registerUser(server.http, "renamer");
    const path = `/_matrix/client/v3/devices/${user.deviceId}`;
    expect((await server.http.put(path, { display_name: "Laptop" }, user.accessToken)).body).toEqual({});
    expect((await server.http.get(path, user.accessToken)).body.display_name).toBe("Laptop");
    expect((await server.http.put(path, {}, user.accessToken)).status).toBe(200);
    expect((await server.http.get(path, user.accessToken)).body.display_name).toBe("Laptop");
  });

  it("refuses unknown devices (404), wrong types (M_BAD_JSON) and bodies that are not JSON", async () => {
    const user = await registerUser(server.http, "renamer-bad");
    const unknown = await server.http.put(
      "/_matrix/client/v3/devices/NOPE",
      { display_name: "x" },
      user.accessToken,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe("M_NOT_FOUND");
    const wrongType = await server.http.put(
      `/_matrix/client/v3/devices/${user.deviceId}`,
      { display_name: 42 },
      user.accessToken,
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errcode).toBe("M_BAD_JSON");
    expect(wrongType.body.error).toContain("display_name");
    const notJson = await server.http.request("PUT", `/_matrix/client/v3/devices/${user.deviceId}`, {
      token: user.accessToken,
      rawBody: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errcode).toBe("M_NOT_JSON");
  });
});

describe("DELETE /devices/{deviceId}", () => {
  it("asks for the password, then deletes the device and its access token", async () => {
    const user = await registerUser(server.http, "deleter", "pw-deleter");
    const victim = await login(user, "deleter");
    const path = `/_matrix/client/v3/devices/${victim.device_id}`;
    const challenge = await server.http.delete(path, {}, user.accessToken);
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    expect(typeof challenge.body.session).toBe("string");

    const wrong = await server.http.delete(
      path,
      { auth: passwordAuth("deleter", "nope", challenge.body.session) },
      user.accessToken,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe("M_FORBIDDEN");
    expect((await server.http.get("/_matrix/client/v3/account/whoami", victim.access_token)).status).toBe(
      200,
    );

    const done = await server.http.delete(
      path,
      { auth: passwordAuth("deleter", "pw-deleter", challenge.body.session) },
      user.accessToken,
    );
    expect(done.status).toBe(200);
    expect(done.body).toEqual({});
    const refused = await server.http.get("/_matrix/client/v3/account/whoami", victim.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body.errcode).toBe("M_UNKNOWN_TOKEN");
    expect((await server.http.get(path, user.accessToken)).status).toBe(404);
    // The requester's own device is untouched.
    expect((await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken)).status).toBe(200);
  });

  it("answers a request without a body with the challenge, and treats an absent device as deleted", async () => {
    const user = await registerUser(server.http, "deleter-2", "pw-2");
    const bare = await server.http.request("DELETE", "/_matrix/client/v3/devices/GONE", {
      token: user.accessToken,
    });
    expect(bare.status).toBe(401);
    expect(bare.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    const done = await server.http.delete(
      "/_matrix/client/v3/devices/GONE",
      { auth: passwordAuth("deleter-2", "pw-2") },
      user.accessToken,
    );
    expect(done.status).toBe(200);
  });

  it("does not let a session confirmed for one device delete another", async () => {
    const user = await registerUser(server.http, "deleter-3", "pw-3");
    const a = await login(user, "deleter-3");
    const b = await login(user, "deleter-3");
    const challenge = await server.http.delete(
      `/_matrix/client/v3/devices/${a.device_id}`,
      {},
      user.accessToken,
    );
    const replay = await server.http.delete(
      `/_matrix/client/v3/devices/${b.device_id}`,
      { auth: passwordAuth("deleter-3", "pw-3", challenge.body.session) },
      user.accessToken,
    );
    expect(replay.status).toBe(403);
    expect(replay.body.errcode).toBe("M_FORBIDDEN");
    expect((await server.http.get("/_matrix/client/v3/account/whoami", b.access_token)).status).toBe(200);
  });

  it("may delete the requester's own device, which logs the requester out", async () => {
    const user = await registerUser(server.http, "self-deleter", "pw-self");
    const res = await server.http.delete(
      `/_matrix/client/v3/devices/${user.deviceId}`,
      { auth: passwordAuth("self-deleter", "pw-self") },
      user.accessToken,
    );
    expect(res.status).toBe(200);
    const after = await server.http.get("/_matrix/client/v3/account/whoami", user.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.errcode).toBe("M_UNKNOWN_TOKEN");
    expect(await server.services.store.devices.list(user.userId)).toEqual([]);
  });

  it("refuses to authenticate as another user", async () => {
    const user = await registerUser(server.http, "deleter-4", "pw-4");
    await registerUser(server.http, "deleter-5", "pw-5");
    const res = await server.http.delete(
      `/_matrix/client/v3/devices/${user.deviceId}`,
      { auth: passwordAuth("deleter-5", "pw-5") },
      user.accessToken,
    );
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_FORBIDDEN");
  });
});

describe("POST /delete_devices", () => {
  it("deletes several devices under one user-interactive auth", async () => {
    const user = await registerUser(server.http, "bulk", "pw-bulk");
    const a = await login(user, "bulk");
    const b = await login(user, "bulk");
    const body = { devices: [a.device_id, b.device_id, "NEVER-EXISTED"] };
    const challenge = await server.http.post("/_matrix/client/r0/delete_devices", body, user.accessToken);
    expect(challenge.status).toBe(401);
    const done = await server.http.post(
      "/_matrix/client/v3/delete_devices",
      { ...body, auth: passwordAuth("bulk", "pw-bulk", challenge.body.session) },
      user.accessToken,
    );
    expect(done.status).toBe(200);
    for (const device of [a, b]) {
      expect((await server.http.get("/_matrix/client/v3/account/whoami", device.access_token)).status).toBe(
        401,
      );
    }
    const left = await server.http.get("/_matrix/client/v3/devices", user.accessToken);
    expect(left.body.devices.map((d: { device_id: string }) => d.device_id)).toEqual([user.deviceId]);
  });

  it("requires the devices list (M_BAD_JSON) before asking for auth", async () => {
    const user = await registerUser(server.http, "bulk-bad");
    const missing = await server.http.post("/_matrix/client/v3/delete_devices", {}, user.accessToken);
    expect(missing.status).toBe(400);
    expect(missing.body.errcode).toBe("M_BAD_JSON");
    expect(missing.body.error).toContain("devices");
    const wrong = await server.http.post(
      "/_matrix/client/v3/delete_devices",
      { devices: "A" },
      user.accessToken,
    );
    expect(wrong.body.errcode).toBe("M_BAD_JSON");
  });
});
