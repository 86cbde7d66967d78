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

async function createRoom(body: Record<string, unknown> = {}, token = alice.accessToken) {
  const res = await server.http.post("/_matrix/client/v3/createRoom", body, token);
  expect(res.status).toBe(200);
  return res.body.room_id as string;
}

async function send(roomId: string, body: string, token: string, txn = `t${Math.random()}`) {
  return server.http.put(
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`,
    { msgtype: "m.text", body },
    token,
  );
}

describe("createRoom", () => {
  it("creates the spec's initial events in order with a v12 room ID derived from the create event", async () => {
    const roomId = await createRoom({ name: "Ops", topic: "Ops talk", preset: "private_chat" });
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    const state = await server.http.get(`/_matrix/client/v3/rooms/${enc(roomId)}/state`, alice.accessToken);
    const types = (state.body as unknown as Array<{ type: string }>).map((e) => e.type).sort();
    expect(types).toEqual(
      [
        "m.room.create",
        "m.room.guest_access",
        "m.room.history_visibility",
        "m.room.join_rules",
        "m.room.member",
        "m.room.name",
        "m.room.power_levels",
        "m.room.topic",
      ].sort(),
    );
    // The creator's join carries their profile, as every join does.
    const creatorJoin = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.member/${enc(alice.userId)}`,
      alice.accessToken,
    );
    expect(creatorJoin.body).toEqual({ membership: "join", displayname: "alice" });
    const name = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name`,
      alice.accessToken,
    );
    expect(name.body).toEqual({ name: "Ops" });
    const history = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=f&limit=20`,
      alice.accessToken,
    );
    expect(history.body.chunk.map((e: { type: string }) => e.type)).toEqual([
      "m.room.create",
      "m.room.member",
      "m.room.power_levels",
      "m.room.join_rules",
      "m.room.history_visibility",
      "m.room.guest_access",
      "m.room.name",
      "m.room.topic",
    ]);
  });

  it("gives rooms created at the same moment with the same content distinct IDs", async () => {
    // A v12 room ID is the create event's hash: identical create events would be one room.
    const ids = await Promise.all(Array.from({ length: 10 }, () => createRoom({})));
    expect(new Set(ids).size).toBe(10);
  });

  it("creates rooms of every version 1 to 12 and refuses unknown versions", async () => {
    for (let v = 1; v <= 12; v++) {
      const roomId = await createRoom({ room_version: String(v) });
      const create = await server.http.get(
        `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.create`,
        alice.accessToken,
      );
      expect(create.body.room_version).toBe(String(v));
      const sent = await send(roomId, `hello v${v}`, alice.accessToken);
      expect(sent.status).toBe(200);
    }
    const bad = await server.http.post(
      "/_matrix/client/v3/createRoom",
      { room_version: "99" },
      alice.accessToken,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
  });
});

describe("membership and messages", () => {
  it("invite, join, exchange messages, paginate both ways", async () => {
    const roomId = await createRoom({ invite: [bob.userId] });
    const notJoined = await send(roomId, "too early", bob.accessToken);
    expect(notJoined.status).toBe(403);
    expect(notJoined.body.errcode).toBe("M_FORBIDDEN");
    const join = await server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, bob.accessToken);
    expect(join.body).toEqual({ room_id: roomId });
    for (let i = 0; i < 30; i++) {
      const res = await send(roomId, `m${i}`, i % 2 ? bob.accessToken : alice.accessToken);
      expect(res.status).toBe(200);
    }
    const bodies: string[] = [];
    let from: string | undefined;
    for (;;) {
      const page = await server.http.get(
        `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=7${from ? `&from=${from}` : ""}&filter=${enc(JSON.stringify({ types: ["m.room.message"] }))}`,
        bob.accessToken,
      );
      expect(page.status).toBe(200);
      for (const e of page.body.chunk) bodies.push(e.content.body);
      if (!page.body.end) break;
      from = page.body.end;
    }
    expect(bodies).toEqual(Array.from({ length: 30 }, (_, i) => `m${29 - i}`));
    const joined = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`,
      alice.accessToken,
    );
    expect(Object.keys(joined.body.joined).sort()).toEqual([alice.userId, bob.userId]);
    const rooms = await server.http.get("/_matrix/client/v3/joined_rooms", bob.accessToken);
    expect(rooms.body.joined_rooms).toContain(roomId);
  });

  it("makes sends idempotent per transaction ID", async () => {
    const roomId = await createRoom();
    const a = await send(roomId, "once", alice.accessToken, "same-txn");
    const b = await send(roomId, "once", alice.accessToken, "same-txn");
    expect(a.body.event_id).toBe(b.body.event_id);
    const page = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=5`,
      alice.accessToken,
    );
    expect(page.body.chunk.filter((e: { type: string }) => e.type === "m.room.message")).toHaveLength(1);
  });

  it("a banned user cannot rejoin; kicks need power", async () => {
    const roomId = await createRoom({ preset: "public_chat" });
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
    const kickByBob = await server.http.post(
      `/_matrix/client/v3/rooms/${enc(roomId)}/kick`,
      { user_id: alice.userId },
      bob.accessToken,
    );
    expect(kickByBob.status).toBe(403);
    const ban = await server.http.post(
      `/_matrix/client/v3/rooms/${enc(roomId)}/ban`,
      { user_id: bob.userId, reason: "spam" },
      alice.accessToken,
    );
    expect(ban.status).toBe(200);
    const rejoin = await server.http.post(
      `/_matrix/client/v3/rooms/${enc(roomId)}/join`,
      {},
      bob.accessToken,
    );
    expect(rejoin.status).toBe(403);
    expect(rejoin.body.errcode).toBe("M_FORBIDDEN");
    const member = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.member/${enc(bob.userId)}`,
      alice.accessToken,
    );
    expect(member.body).toMatchObject({ membership: "ban", reason: "spam" });
  });

  it("redaction strips content for everyone and keeps redacted_because", async () => {
    const roomId = await createRoom({ preset: "public_chat" });
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
    const sent = await send(roomId, "secret", bob.accessToken);
    const notAllowed = await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(alice.userId)}/x1`,
      {},
      bob.accessToken,
    );
    expect(notAllowed.status).toBe(404);
    const redaction = await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(sent.body.event_id)}/r1`,
      { reason: "oops" },
      alice.accessToken,
    );
    expect(redaction.status).toBe(200);
    for (const user of [alice, bob]) {
      const event = await server.http.get(
        `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(sent.body.event_id)}`,
        user.accessToken,
      );
      expect(event.body.content).toEqual({});
      expect(event.body.unsigned.redacted_because.event_id).toBe(redaction.body.event_id);
    }
  });

  it("a user who joins a joined-visibility room cannot read earlier events", async () => {
    const roomId = await createRoom({
      preset: "public_chat",
      initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "joined" } }],
    });
    const before = await send(roomId, "before bob", alice.accessToken);
    await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
    await send(roomId, "after bob", alice.accessToken);
    const page = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`,
      bob.accessToken,
    );
    const bodies = page.body.chunk
      .filter((e: { type: string }) => e.type === "m.room.message")
      .map((e: { content: { body: string } }) => e.content.body);
    expect(bodies).toEqual(["after bob"]);
    const direct = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(before.body.event_id)}`,
      bob.accessToken,
    );
    expect(direct.status).toBe(404);
    const context = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(before.body.event_id)}`,
      bob.accessToken,
    );
    expect(context.status).toBe(404);
  });

  it("state changes carry prev_content", async () => {
    const roomId = await createRoom({ name: "one" });
    await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name/`,
      { name: "two" },
      alice.accessToken,
    );
    const page = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=1`,
      alice.accessToken,
    );
    expect(page.body.chunk[0]).toMatchObject({
      type: "m.room.name",
      content: { name: "two" },
      unsigned: { prev_content: { name: "one" } },
    });
    const create = await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.create/`,
      {},
      alice.accessToken,
    );
    expect(create.status).toBe(403);
  });
});
