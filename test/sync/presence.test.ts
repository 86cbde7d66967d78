import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  eve = await registerUser(server.http, "eve");
  const roomId = (
    await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
  ).body.room_id;
  await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
});
afterAll(() => server.close());

const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
const setPresence = (user: TestUser, body: unknown, target = user.userId) =>
  server.http.put(`/_matrix/client/v3/presence/${enc(target)}/status`, body, user.accessToken);
const getPresence = (user: TestUser, target: string) =>
  server.http.get(`/_matrix/client/v3/presence/${enc(target)}/status`, user.accessToken);
const presenceOf = (res: Awaited<ReturnType<typeof sync>>, userId: string) =>
  res.body.presence.events.filter((e: { sender: string }) => e.sender === userId);

describe("presence", () => {
  it("syncing makes a user online, visible to room peers with last_active_ago and currently_active", async () => {
    const bobBase = await sync(bob, "set_presence=offline");
    await sync(alice);
    const res = await sync(bob, `since=${bobBase.body.next_batch}&set_presence=offline`);
    const [event] = presenceOf(res, alice.userId);
    expect(event).toEqual({
      type: "m.presence",
      sender: alice.userId,
      content: { presence: "online", last_active_ago: expect.any(Number), currently_active: true },
    });
    expect((await getPresence(bob, alice.userId)).body).toMatchObject({
      presence: "online",
      currently_active: true,
    });
    // The user sees their own presence too.
    expect(presenceOf(await sync(alice), alice.userId)[0].content.presence).toBe("online");
  });

  it("a PUT is seen by room peers once, and never by strangers", async () => {
    const bobBase = await sync(bob, "set_presence=offline");
    const eveBase = await sync(eve, "set_presence=offline");
    expect((await setPresence(alice, { presence: "unavailable", status_msg: "lunch" })).status).toBe(200);
    const res = await sync(bob, `since=${bobBase.body.next_batch}&set_presence=offline`);
    expect(presenceOf(res, alice.userId).map((e: { content: unknown }) => e.content)).toEqual([
      { presence: "unavailable", status_msg: "lunch", last_active_ago: expect.any(Number) },
    ]);
    const again = await sync(bob, `since=${res.body.next_batch}&set_presence=offline`);
    expect(presenceOf(again, alice.userId)).toEqual([]);

    const eveRes = await sync(eve, `since=${eveBase.body.next_batch}&set_presence=offline`);
    expect(presenceOf(eveRes, alice.userId)).toEqual([]);
    expect(presenceOf(await sync(eve, "set_presence=offline"), alice.userId)).toEqual([]);
    const forbidden = await getPresence(eve, alice.userId);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errcode).toBe("M_FORBIDDEN");
    expect((await getPresence(bob, alice.userId)).body).toMatchObject({
      presence: "unavailable",
      status_msg: "lunch",
    });
  });

  it("a sync does not override a chosen unavailable; set_presence=offline changes nothing", async () => {
    await sync(alice);
    expect((await getPresence(alice, alice.userId)).body.presence).toBe("unavailable");
    await setPresence(alice, { presence: "offline" });
    await sync(alice, "set_presence=offline");
    expect((await getPresence(alice, alice.userId)).body.presence).toBe("offline");
    await sync(alice, "set_presence=unavailable");
    expect((await getPresence(alice, alice.userId)).body.presence).toBe("unavailable");
    await setPresence(alice, { presence: "online" });
    expect((await getPresence(alice, alice.userId)).body).toMatchObject({
      presence: "online",
      currently_active: true,
    });
  });

  it("only oneself may set it; the body is checked", async () => {
    expect((await setPresence(alice, { presence: "online" }, bob.userId)).status).toBe(403);
    expect((await setPresence(alice, { presence: "busy" })).status).toBe(400);
    expect((await setPresence(alice, {})).status).toBe(400);
  });

  it("wakes a peer's long-poll on a change", async () => {
    const base = await sync(bob, "set_presence=offline");
    const waiting = sync(bob, `since=${base.body.next_batch}&timeout=20000&set_presence=offline`);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await setPresence(alice, { presence: "unavailable", status_msg: "away" });
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(presenceOf(woke, alice.userId)[0].content).toMatchObject({
      presence: "unavailable",
      status_msg: "away",
    });
  });

  it("shows the presence of someone who newly shares a room", async () => {
    await setPresence(eve, { presence: "online", status_msg: "new here" });
    const base = await sync(bob, "set_presence=offline");
    const roomId = (
      await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, bob.accessToken)
    ).body.room_id;
    const mid = await sync(bob, `since=${base.body.next_batch}&set_presence=offline`);
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, eve.accessToken);
    const res = await sync(bob, `since=${mid.body.next_batch}&set_presence=offline`);
    expect(presenceOf(res, eve.userId)[0].content).toMatchObject({
      presence: "online",
      status_msg: "new here",
    });
  });
});
