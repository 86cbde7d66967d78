/**
 * matrix-js-sdk as the judge of the account surface: registration with a registration token on a
 * server with closed registration, two logged-in devices, device rename and deletion through
 * user-interactive auth, profile, account data, filters and the user directory. No sync loop (there is
 * no /sync yet), so everything is read back from the server.
 */
import * as sdk from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietLogger as quiet } from "../support/sdk.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { serverDatabases } from "../support/store-engines.js";

/** The SDK rejects with MatrixError; this returns it so a test can look at errcode, status and data. */
async function rejection(promise: Promise<unknown>): Promise<sdk.MatrixError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof sdk.MatrixError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

/** SQLite always; PostgreSQL too when the test run started a cluster (test/setup/postgres.ts). */
const engines = serverDatabases();

describe.each(engines)("an account driven by matrix-js-sdk ($name)", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    // Closed registration (the default): only registration tokens let people in.
    server = await startTestServer(["--no-rate-limits"], { database: await engine.database() });
  });
  afterAll(() => server.close());

  const client = (accessToken?: string, userId?: string, deviceId?: string) =>
    sdk.createClient({ baseUrl: server.url, accessToken, userId, deviceId, logger: quiet });

  const password = "a long and secret passphrase";
  let userId: string;
  let firstToken: string;
  let firstDevice: string;
  let secondToken: string;
  let secondDevice: string;

  it("registers with a registration token through user-interactive auth", async () => {
    await server.services.store.registrationTokens.create({
      token: "invite-only",
      usesAllowed: 1,
      pending: 0,
      completed: 0,
      expiryTs: null,
      createdTs: Date.now(),
    });
    const anonymous = client();
    // Closed registration offers no dummy flow.
    const challenge = await rejection(anonymous.registerRequest({ username: "sdkuser", password }));
    expect(challenge.httpStatus).toBe(401);
    expect(challenge.data.flows).toEqual([{ stages: ["m.login.registration_token"] }]);
    const session = challenge.data.session as string;
    expect(typeof session).toBe("string");

    const wrongToken = await rejection(
      anonymous.registerRequest({
        username: "sdkuser",
        password,
        auth: { type: "m.login.registration_token", token: "guessed", session },
      }),
    );
    expect(wrongToken.httpStatus).toBe(401);
    expect(wrongToken.errcode).toBe("M_FORBIDDEN");

    const registered = await anonymous.registerRequest({
      username: "sdkuser",
      password,
      initial_device_display_name: "Registration device",
      auth: { type: "m.login.registration_token", token: "invite-only", session },
    });
    expect(registered.user_id).toBe("@sdkuser:localhost");
    expect(registered.access_token).toBeTruthy();
    expect(registered.device_id).toBeTruthy();
    userId = registered.user_id;

    // The token had one use.
    const again = await rejection(anonymous.registerRequest({ username: "sdkuser2", password }));
    const reuse = await rejection(
      anonymous.registerRequest({
        username: "sdkuser2",
        password,
        auth: { type: "m.login.registration_token", token: "invite-only", session: again.data.session },
      }),
    );
    expect(reuse.errcode).toBe("M_FORBIDDEN");
    expect(await server.services.store.users.get("@sdkuser2:localhost")).toBeUndefined();
  });

  it("logs in on two devices", async () => {
    const anonymous = client();
    const first = await anonymous.loginRequest({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "sdkuser" },
      password,
      initial_device_display_name: "Laptop",
    });
    expect(first.user_id).toBe(userId);
    firstToken = first.access_token;
    firstDevice = first.device_id;
    // The older `user` field, as loginWithPassword sends it.
    const second = await anonymous.loginWithPassword("sdkuser", password);
    expect(second.user_id).toBe(userId);
    expect(second.device_id).not.toBe(firstDevice);
    secondToken = second.access_token;
    secondDevice = second.device_id;
    expect((await client(secondToken).whoami()).device_id).toBe(secondDevice);
  });

  it("lists the devices, renames one and reads it back", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    const { devices } = await laptop.getDevices();
    expect(devices.map((d) => d.device_id)).toEqual(expect.arrayContaining([firstDevice, secondDevice]));
    expect(devices).toHaveLength(3);
    expect(devices.find((d) => d.device_id === firstDevice)?.display_name).toBe("Laptop");
    expect(devices.find((d) => d.display_name === "Registration device")).toBeDefined();

    await laptop.setDeviceDetails(secondDevice, { display_name: "Phone" });
    const phone = await laptop.getDevice(secondDevice);
    expect(phone).toMatchObject({ device_id: secondDevice, display_name: "Phone" });

    const unknown = await rejection(laptop.getDevice("NO_SUCH_DEVICE"));
    expect(unknown.httpStatus).toBe(404);
    expect(unknown.errcode).toBe("M_NOT_FOUND");
  });

  it("deletes a device after re-entering the password; its token is then refused", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    const challenge = await rejection(laptop.deleteDevice(secondDevice));
    expect(challenge.httpStatus).toBe(401);
    expect(challenge.data.flows).toEqual([{ stages: ["m.login.password"] }]);
    await laptop.deleteDevice(secondDevice, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: userId },
      password,
      session: challenge.data.session,
    } as sdk.AuthDict);

    const { devices } = await laptop.getDevices();
    expect(devices.map((d) => d.device_id)).not.toContain(secondDevice);
    expect(devices).toHaveLength(2);

    const refused = await rejection(client(secondToken, userId, secondDevice).whoami());
    expect(refused.httpStatus).toBe(401);
    expect(refused.errcode).toBe("M_UNKNOWN_TOKEN");
    expect(refused.data.soft_logout).toBe(false);
  });

  it("sets display name and avatar and reads the profile back", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    expect(await laptop.getProfileInfo(userId)).toEqual({ displayname: "sdkuser" });
    await laptop.setDisplayName("SDK User");
    await laptop.setAvatarUrl("mxc://localhost/avatar123");
    expect(await laptop.getProfileInfo(userId)).toEqual({
      displayname: "SDK User",
      avatar_url: "mxc://localhost/avatar123",
    });
    expect(await laptop.getProfileInfo(userId, "displayname")).toEqual({ displayname: "SDK User" });
    const bad = await rejection(laptop.setAvatarUrl("https://example.org/a.png"));
    expect(bad.httpStatus).toBe(400);
    expect(bad.errcode).toBe("M_INVALID_PARAM");
    // Profiles are public: a client without a token sees the same.
    expect(await client().getProfileInfo(userId)).toEqual({
      displayname: "SDK User",
      avatar_url: "mxc://localhost/avatar123",
    });
  });

  it("sets account data and reads it from the server", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    expect(
      await laptop.getAccountDataFromServer("org.example.settings" as keyof sdk.AccountDataEvents),
    ).toBeNull();
    await laptop.setAccountData(sdk.EventType.IgnoredUserList, {
      ignored_users: { "@spam:example.org": {} },
    });
    expect(await laptop.getAccountDataFromServer(sdk.EventType.IgnoredUserList)).toEqual({
      ignored_users: { "@spam:example.org": {} },
    });
    const raw = await laptop.http.authedRequest(
      sdk.Method.Get,
      `/user/${encodeURIComponent(userId)}/account_data/m.ignored_user_list`,
    );
    expect(raw).toEqual({ ignored_users: { "@spam:example.org": {} } });
    await laptop.setRoomAccountData("!room:localhost", "m.tag", { tags: { "m.favourite": {} } });
    const roomData = await laptop.http.authedRequest(
      sdk.Method.Get,
      `/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent("!room:localhost")}/account_data/m.tag`,
    );
    expect(roomData).toEqual({ tags: { "m.favourite": {} } });
  });

  it("uploads a filter and downloads it", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    const definition = {
      room: { timeline: { limit: 20, lazy_load_members: true } },
      presence: { types: [] },
    };
    const filter = await laptop.createFilter(definition);
    expect(filter.filterId).toMatch(/^\d+$/);
    const back = await laptop.getFilter(userId, filter.filterId!, false);
    expect(back.getDefinition()).toEqual(definition);
  });

  it("finds the user in the user directory", async () => {
    const laptop = client(firstToken, userId, firstDevice);
    const found = await laptop.searchUserDirectory({ term: "sdk user" });
    expect(found).toEqual({
      results: [{ user_id: userId, display_name: "SDK User", avatar_url: "mxc://localhost/avatar123" }],
      limited: false,
    });
  });
});
