import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let roomId: string;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  roomId = (
    await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
  ).body.room_id;
  await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
});
afterAll(() => server.close());

const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
const send = async (user: TestUser, body: string, extra: Record<string, unknown> = {}) =>
  (
    await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`,
      { msgtype: "m.text", body, ...extra },
      user.accessToken,
    )
  ).body.event_id as string;
const receipt = (user: TestUser, type: string, eventId: string, body: unknown = {}) =>
  server.http.post(
    `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/${type}/${enc(eventId)}`,
    body,
    user.accessToken,
  );
const receiptsIn = (res: Awaited<ReturnType<typeof sync>>, room = roomId) =>
  (res.body.rooms.join[room]?.ephemeral?.events ?? []).filter(
    (e: { type: string }) => e.type === "m.receipt",
  );

describe("receipts in /sync", () => {
  it("delivers a public read receipt to the other member in the spec's shape, once", async () => {
    const eventId = await send(alice, "read me");
    const base = await sync(alice);
    expect((await receipt(bob, "m.read", eventId)).status).toBe(200);
    const res = await sync(alice, `since=${base.body.next_batch}`);
    const events = receiptsIn(res);
    expect(events).toHaveLength(1);
    expect(events[0].content).toEqual({
      [eventId]: { "m.read": { [bob.userId]: { ts: expect.any(Number) } } },
    });
    const again = await sync(alice, `since=${res.body.next_batch}`);
    expect(receiptsIn(again)).toEqual([]);
  });

  it("keeps m.read.private to its owner", async () => {
    const eventId = await send(alice, "secret read");
    const aliceBase = await sync(alice);
    const bobBase = await sync(bob);
    await receipt(bob, "m.read.private", eventId);
    const aliceSees = await sync(alice, `since=${aliceBase.body.next_batch}`);
    expect(JSON.stringify(aliceSees.body)).not.toContain("m.read.private");
    const bobSees = await sync(bob, `since=${bobBase.body.next_batch}`);
    expect(receiptsIn(bobSees)[0].content[eventId]["m.read.private"][bob.userId].ts).toEqual(
      expect.any(Number),
    );
    // Nor in alice's initial sync.
    expect(JSON.stringify((await sync(alice)).body)).not.toContain("m.read.private");
    // A private receipt does not wake alice's long-poll.
    const next = await send(alice, "another");
    const quiet = await sync(alice, `since=${(await sync(alice)).body.next_batch}&timeout=0`);
    const waiting = sync(alice, `since=${quiet.body.next_batch}&timeout=700`);
    await new Promise((r) => setTimeout(r, 50));
    await receipt(bob, "m.read.private", next);
    expect(receiptsIn(await waiting)).toEqual([]);
  });

  it("delivers threaded receipts with thread_id", async () => {
    const root = await send(alice, "thread root");
    const reply = await send(alice, "in thread", {
      "m.relates_to": { rel_type: "m.thread", event_id: root },
    });
    const base = await sync(alice);
    expect((await receipt(bob, "m.read", reply, { thread_id: root })).status).toBe(200);
    expect((await receipt(bob, "m.read", root, { thread_id: "main" })).status).toBe(200);
    const res = await sync(alice, `since=${base.body.next_batch}`);
    const content = Object.assign({}, ...receiptsIn(res).map((e: { content: object }) => e.content));
    expect(content[reply]["m.read"][bob.userId]).toEqual({ ts: expect.any(Number), thread_id: root });
    expect(content[root]["m.read"][bob.userId]).toEqual({ ts: expect.any(Number), thread_id: "main" });
  });

  it("an initial sync and a newly joined room include the current receipts", async () => {
    const eventId = await send(alice, "latest");
    await receipt(alice, "m.read", eventId);
    const initial = await sync(bob);
    const content = Object.assign({}, ...receiptsIn(initial).map((e: { content: object }) => e.content));
    expect(content[eventId]["m.read"][alice.userId].ts).toEqual(expect.any(Number));

    const carol = await registerUser(server.http, "carol");
    const before = await sync(carol);
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, carol.accessToken);
    const joined = await sync(carol, `since=${before.body.next_batch}`);
    const seen = Object.assign({}, ...receiptsIn(joined).map((e: { content: object }) => e.content));
    expect(seen[eventId]["m.read"][alice.userId]).toBeDefined();
  });

  it("wakes a long-polling sync when a receipt arrives", async () => {
    const eventId = await send(bob, "wake");
    const base = await sync(alice);
    const waiting = sync(alice, `since=${base.body.next_batch}&timeout=20000`);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await receipt(bob, "m.read", eventId);
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(receiptsIn(woke)[0].content[eventId]["m.read"][bob.userId]).toBeDefined();
  });
});
