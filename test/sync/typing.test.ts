import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let roomId: string;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  carol = await registerUser(server.http, "carol");
  roomId = (
    await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
  ).body.room_id;
  await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
});
afterAll(() => server.close());

const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
const typing = (user: TestUser, body: unknown, target = user.userId) =>
  server.http.put(`/_matrix/client/v3/rooms/${enc(roomId)}/typing/${enc(target)}`, body, user.accessToken);
const typingIn = (res: Awaited<ReturnType<typeof sync>>) =>
  (res.body.rooms.join[roomId]?.ephemeral?.events ?? []).filter(
    (e: { type: string }) => e.type === "m.typing",
  );

describe("typing notifications", () => {
  it("shows the other member start and stop typing, once per change", async () => {
    const base = await sync(bob);
    expect((await typing(alice, { typing: true, timeout: 30_000 })).status).toBe(200);
    const started = await sync(bob, `since=${base.body.next_batch}`);
    expect(typingIn(started)).toEqual([{ type: "m.typing", content: { user_ids: [alice.userId] } }]);
    // Renewing the timeout is no change.
    await typing(alice, { typing: true, timeout: 30_000 });
    const renewed = await sync(bob, `since=${started.body.next_batch}`);
    expect(typingIn(renewed)).toEqual([]);

    await typing(alice, { typing: false });
    const stopped = await sync(bob, `since=${started.body.next_batch}`);
    expect(typingIn(stopped)).toEqual([{ type: "m.typing", content: { user_ids: [] } }]);
    const idle = await sync(bob, `since=${stopped.body.next_batch}`);
    expect(idle.body.rooms.join[roomId]).toBeUndefined();
  });

  it("an initial sync shows who is typing now", async () => {
    await typing(alice, { typing: true, timeout: 30_000 });
    await typing(bob, { typing: true, timeout: 30_000 });
    const initial = await sync(alice);
    expect(typingIn(initial)).toEqual([
      { type: "m.typing", content: { user_ids: [alice.userId, bob.userId].sort() } },
    ]);
    await typing(alice, { typing: false });
    await typing(bob, { typing: false });
  });

  it("expires server-side after the timeout and wakes a waiting sync", async () => {
    const base = await sync(bob);
    await typing(alice, { typing: true, timeout: 300 });
    const started = await sync(bob, `since=${base.body.next_batch}`);
    expect(typingIn(started)[0].content.user_ids).toEqual([alice.userId]);
    const t0 = Date.now();
    const expired = await sync(bob, `since=${started.body.next_batch}&timeout=10000`);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(typingIn(expired)).toEqual([{ type: "m.typing", content: { user_ids: [] } }]);
  });

  it("wakes a long-polling sync when someone starts typing", async () => {
    const base = await sync(bob);
    const waiting = sync(bob, `since=${base.body.next_batch}&timeout=20000`);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await typing(alice, { typing: true, timeout: 30_000 });
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(typingIn(woke)[0].content.user_ids).toEqual([alice.userId]);
    await typing(alice, { typing: false });
  });

  it("is only for oneself, only in joined rooms, and only what the filter lets through", async () => {
    expect((await typing(alice, { typing: true }, bob.userId)).status).toBe(403);
    const outsider = await typing(carol, { typing: true, timeout: 1000 });
    expect(outsider.status).toBe(403);
    expect(outsider.body.errcode).toBe("M_FORBIDDEN");
    expect((await typing(alice, { timeout: 1000 })).status).toBe(400);

    const base = await sync(bob);
    await typing(alice, { typing: true, timeout: 30_000 });
    const filter = enc(JSON.stringify({ room: { ephemeral: { not_types: ["m.typing"] } } }));
    const filtered = await sync(bob, `since=${base.body.next_batch}&filter=${filter}`);
    expect(typingIn(filtered)).toEqual([]);
    await typing(alice, { typing: false });
  });
});
