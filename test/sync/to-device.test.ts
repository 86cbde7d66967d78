import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let bobPhone: TestUser;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  const login = await server.http.post("/_matrix/client/v3/login", {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: "bob" },
    password: bob.password,
    device_id: "PHONE",
  });
  bobPhone = { ...bob, accessToken: login.body.access_token, deviceId: login.body.device_id };
});
afterAll(() => server.close());

const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
let txn = 0;
const sendToDevice = (from: TestUser, messages: unknown, txnId = `t${++txn}`, type = "org.example.ping") =>
  server.http.put(`/_matrix/client/v3/sendToDevice/${type}/${txnId}`, { messages }, from.accessToken);
const contents = (res: Awaited<ReturnType<typeof sync>>) =>
  res.body.to_device.events.map((e: { content: { n: number } }) => e.content.n);

describe("send-to-device", () => {
  it("delivers to the named device once, in order, with sender and type", async () => {
    const base = await sync(bob);
    for (const n of [1, 2, 3]) {
      expect((await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n } } })).status).toBe(200);
    }
    const first = await sync(bob, `since=${base.body.next_batch}`);
    expect(first.body.to_device.events).toEqual([
      { sender: alice.userId, type: "org.example.ping", content: { n: 1 } },
      { sender: alice.userId, type: "org.example.ping", content: { n: 2 } },
      { sender: alice.userId, type: "org.example.ping", content: { n: 3 } },
    ]);
    // The other device got none of them.
    expect((await sync(bobPhone)).body.to_device.events).toEqual([]);

    // Retrying with the old token (the response was lost) gives the same messages again...
    const retried = await sync(bob, `since=${base.body.next_batch}`);
    expect(contents(retried)).toEqual([1, 2, 3]);
    // ... and moving on acknowledges them: never again, even from an older token.
    await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n: 4 } } });
    const next = await sync(bob, `since=${retried.body.next_batch}`);
    expect(contents(next)).toEqual([4]);
    expect(contents(await sync(bob, `since=${base.body.next_batch}`))).toEqual([4]);
    const after = await sync(bob, `since=${next.body.next_batch}`);
    expect(contents(after)).toEqual([]);
    expect(contents(await sync(bob))).toEqual([]);
  });

  it("fans * out to every device of the user, a named device getting its own content", async () => {
    const laptopBase = await sync(bob);
    const phoneBase = await sync(bobPhone);
    await sendToDevice(alice, { [bob.userId]: { "*": { n: 10 } } });
    await sendToDevice(alice, { [bob.userId]: { "*": { n: 11 }, PHONE: { n: 12 } } });
    expect(contents(await sync(bob, `since=${laptopBase.body.next_batch}`))).toEqual([10, 11]);
    expect(contents(await sync(bobPhone, `since=${phoneBase.body.next_batch}`))).toEqual([10, 12]);
  });

  it("is idempotent per transaction ID of the sending device", async () => {
    const base = await sync(bob);
    await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n: 20 } } }, "same");
    await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n: 21 } } }, "same");
    expect(contents(await sync(bob, `since=${base.body.next_batch}`))).toEqual([20]);
  });

  it("gives at most 100 per response and the rest at once in the next", async () => {
    const base = await sync(bob);
    for (let n = 0; n < 130; n++) await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n } } });
    const first = await sync(bob, `since=${base.body.next_batch}&timeout=10000`);
    expect(contents(first)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const t0 = Date.now();
    const second = await sync(bob, `since=${first.body.next_batch}&timeout=10000`);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(contents(second)).toEqual(Array.from({ length: 30 }, (_, i) => 100 + i));
  });

  it("wakes only the target's long-poll", async () => {
    const bobBase = await sync(bob);
    const aliceBase = await sync(alice);
    const bobWaiting = sync(bob, `since=${bobBase.body.next_batch}&timeout=20000`);
    let aliceWoke = false;
    const aliceWaiting = sync(alice, `since=${aliceBase.body.next_batch}&timeout=1500`).then((r) => {
      aliceWoke = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await sendToDevice(alice, { [bob.userId]: { [bob.deviceId]: { n: 30 } } });
    expect(contents(await bobWaiting)).toEqual([30]);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(aliceWoke).toBe(false);
    expect(contents(await aliceWaiting)).toEqual([]);
  });

  it("drops a deleted device's messages, and rejects bad bodies", async () => {
    const login = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "bob" },
      password: bob.password,
      device_id: "TABLET",
    });
    await sendToDevice(alice, { [bob.userId]: { TABLET: { n: 40 } } });
    await server.http.post("/_matrix/client/v3/logout", {}, login.body.access_token);
    const again = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "bob" },
      password: bob.password,
      device_id: "TABLET",
    });
    expect(contents(await sync({ ...bob, accessToken: again.body.access_token }))).toEqual([]);

    expect((await sendToDevice(alice, { [bob.userId]: { DEV: "not an object" } })).status).toBe(400);
    expect((await sendToDevice(alice, { "not-a-user": { DEV: {} } })).status).toBe(400);
    // Unknown devices and remote users are accepted and dropped.
    expect(
      (await sendToDevice(alice, { [bob.userId]: { NOPE: {} }, "@x:elsewhere.example": { D: {} } })).status,
    ).toBe(200);
  });
});
