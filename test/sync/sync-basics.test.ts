import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
});
afterAll(() => server.close());

const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
const send = (roomId: string, user: TestUser, body: string) =>
  server.http.put(
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`,
    { msgtype: "m.text", body },
    user.accessToken,
  );

describe("/sync", () => {
  it("initial sync shows joined rooms with state, timeline and summary; then incremental only news", async () => {
    const created = await server.http.post(
      "/_matrix/client/v3/createRoom",
      { name: "Sync room" },
      alice.accessToken,
    );
    const roomId = created.body.room_id as string;
    await send(roomId, alice, "first");
    const initial = await sync(alice);
    expect(initial.status).toBe(200);
    const room = initial.body.rooms.join[roomId];
    expect(room.timeline.events.at(-1).content.body).toBe("first");
    const everything = [...room.state.events, ...room.timeline.events].map((e: { type: string }) => e.type);
    expect(everything).toContain("m.room.create");
    expect(everything).toContain("m.room.name");
    expect(room.summary["m.joined_member_count"]).toBe(1);
    expect(typeof room.timeline.prev_batch).toBe("string");

    await send(roomId, alice, "second");
    const next = await sync(alice, `since=${initial.body.next_batch}`);
    const nextRoom = next.body.rooms.join[roomId];
    expect(nextRoom.timeline.events.map((e: { content: { body: string } }) => e.content.body)).toEqual([
      "second",
    ]);
    expect(nextRoom.timeline.limited).toBe(false);
    expect(nextRoom.state.events).toEqual([]);

    const idle = await sync(alice, `since=${next.body.next_batch}`);
    expect(idle.body.rooms.join).toEqual({});
    expect(idle.body.next_batch).toBe(next.body.next_batch);
  });

  it("limits the timeline and gives a prev_batch that /messages continues from", async () => {
    const roomId = (await server.http.post("/_matrix/client/v3/createRoom", {}, alice.accessToken)).body
      .room_id;
    const before = await sync(alice);
    for (let i = 0; i < 15; i++) await send(roomId, alice, `n${i}`);
    const res = await sync(
      alice,
      `since=${before.body.next_batch}&filter=${enc(JSON.stringify({ room: { timeline: { limit: 5 } } }))}`,
    );
    const room = res.body.rooms.join[roomId];
    expect(room.timeline.limited).toBe(true);
    expect(room.timeline.events.map((e: { content: { body: string } }) => e.content.body)).toEqual([
      "n10",
      "n11",
      "n12",
      "n13",
      "n14",
    ]);
    const older = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=3&from=${room.timeline.prev_batch}`,
      alice.accessToken,
    );
    expect(older.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual([
      "n9",
      "n8",
      "n7",
    ]);
  });

  it("shows invites with stripped state, then the room in join after joining, and leaves in leave", async () => {
    const base = await sync(bob);
    const roomId = (
      await server.http.post(
        "/_matrix/client/v3/createRoom",
        { name: "Invite me", invite: [bob.userId] },
        alice.accessToken,
      )
    ).body.room_id;
    const invited = await sync(bob, `since=${base.body.next_batch}`);
    const inviteState = invited.body.rooms.invite[roomId].invite_state.events;
    expect(inviteState.find((e: { type: string }) => e.type === "m.room.name").content.name).toBe(
      "Invite me",
    );
    expect(
      inviteState.find(
        (e: { type: string; state_key: string }) => e.type === "m.room.member" && e.state_key === bob.userId,
      ).content.membership,
    ).toBe("invite");

    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
    const joined = await sync(bob, `since=${invited.body.next_batch}`);
    expect(joined.body.rooms.join[roomId]).toBeDefined();
    expect(joined.body.rooms.invite[roomId]).toBeUndefined();

    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {}, bob.accessToken);
    const left = await sync(bob, `since=${joined.body.next_batch}`);
    expect(left.body.rooms.leave[roomId].timeline.events.at(-1)).toMatchObject({
      type: "m.room.member",
      state_key: bob.userId,
      content: { membership: "leave" },
    });
    expect(left.body.rooms.join[roomId]).toBeUndefined();
  });

  it("long-polls until another user's message arrives", async () => {
    const roomId = (
      await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
    ).body.room_id;
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
    const base = await sync(alice);
    const waiting = sync(alice, `since=${base.body.next_batch}&timeout=20000`);
    await new Promise((r) => setTimeout(r, 100));
    await send(roomId, bob, "wake up");
    const woke = await waiting;
    expect(
      woke.body.rooms.join[roomId].timeline.events.map((e: { content: { body: string } }) => e.content.body),
    ).toEqual(["wake up"]);
  });

  it("costs no database queries while an idle long-poll waits", async () => {
    const base = await sync(alice);
    const waiting = sync(alice, `since=${base.body.next_batch}&timeout=1500`);
    await new Promise((r) => setTimeout(r, 300));
    const before = server.services.store.queryCount();
    await new Promise((r) => setTimeout(r, 900));
    expect(server.services.store.queryCount()).toBe(before);
    const res = await waiting;
    expect(res.body.next_batch).toBe(base.body.next_batch);
    const metrics = await server.http.get("/metrics");
    expect(String(metrics.body)).toMatch(/^lattice_db_queries_total \d+$/m);
  });

  it("returns account data, global and per room", async () => {
    const roomId = (await server.http.post("/_matrix/client/v3/createRoom", {}, alice.accessToken)).body
      .room_id;
    const base = await sync(alice);
    await server.http.put(
      `/_matrix/client/v3/user/${enc(alice.userId)}/account_data/org.example.theme`,
      { dark: true },
      alice.accessToken,
    );
    await server.http.put(
      `/_matrix/client/v3/user/${enc(alice.userId)}/rooms/${enc(roomId)}/account_data/m.tag`,
      { tags: { "m.favourite": {} } },
      alice.accessToken,
    );
    const res = await sync(alice, `since=${base.body.next_batch}`);
    expect(res.body.account_data.events).toEqual([{ type: "org.example.theme", content: { dark: true } }]);
    expect(res.body.rooms.join[roomId].account_data.events).toEqual([
      { type: "m.tag", content: { tags: { "m.favourite": {} } } },
    ]);
  });

  it("refuses tokens it did not issue with a clear error", async () => {
    const garbage = await sync(alice, "since=hello");
    expect(garbage.status).toBe(400);
    expect(garbage.body.errcode).toBe("M_INVALID_PARAM");
    const ahead = await sync(alice, "since=lat1.a999999.e999999");
    expect(ahead.status).toBe(400);
    expect(ahead.body.error).toMatch(/sync again without 'since'/);
  });
});
