/** Room summaries (MSC3266) and the space hierarchy (MSC2946) over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const enc = encodeURIComponent;
const V3 = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
});
afterAll(() => server.close());

async function createRoom(body: Record<string, unknown> = {}, token = alice.accessToken) {
  const res = await server.http.post(`${V3}/createRoom`, body, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.room_id as string;
}

const summary = (target: string, token?: string) =>
  server.http.get(`${V1}/room_summary/${enc(target)}`, token);

describe("room summary", () => {
  it("summarises a public room by ID or alias, with membership for the requester", async () => {
    const roomId = await createRoom({
      preset: "public_chat",
      name: "Cheese",
      topic: "Tasty",
      room_alias_name: "cheese",
      initial_state: [{ type: "m.room.encryption", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    const expected = {
      room_id: roomId,
      name: "Cheese",
      topic: "Tasty",
      canonical_alias: "#cheese:localhost",
      num_joined_members: 1,
      join_rule: "public",
      guest_can_join: false,
      world_readable: false,
      room_version: "12",
      encryption: "m.megolm.v1.aes-sha2",
    };
    const byId = await summary(roomId, bob.accessToken);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual({ ...expected, membership: "leave" });
    expect((await summary("#cheese:localhost", alice.accessToken)).body).toEqual({
      ...expected,
      membership: "join",
    });
    // Unauthenticated: no membership.
    expect((await summary(roomId)).body).toEqual(expected);
    // The unstable paths Element uses.
    const unstable = await server.http.get(
      `/_matrix/client/unstable/im.nheko.summary/summary/${enc(roomId)}`,
      bob.accessToken,
    );
    expect(unstable.body.room_id).toBe(roomId);
    const unstableRooms = await server.http.get(
      `/_matrix/client/unstable/im.nheko.summary/rooms/${enc("#cheese:localhost")}/summary`,
      bob.accessToken,
    );
    expect(unstableRooms.body.room_id).toBe(roomId);
  });

  it("hides private rooms from outsiders as if they did not exist, but not from invitees", async () => {
    const roomId = await createRoom({ preset: "private_chat", name: "Secret" });
    const outsider = await summary(roomId, bob.accessToken);
    expect(outsider.status).toBe(404);
    expect(outsider.body.errcode).toBe("M_NOT_FOUND");
    expect((await summary(roomId)).status).toBe(404);
    expect((await summary("!unknown:localhost", bob.accessToken)).status).toBe(404);
    expect((await summary("#unknown:localhost", bob.accessToken)).status).toBe(404);
    await server.http.post(`${V3}/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.accessToken);
    const invited = await summary(roomId, bob.accessToken);
    expect(invited.status).toBe(200);
    expect(invited.body).toMatchObject({ name: "Secret", join_rule: "invite", membership: "invite" });
  });

  it("shows knockable and world-readable rooms", async () => {
    const knock = await createRoom({
      initial_state: [{ type: "m.room.join_rules", content: { join_rule: "knock" } }],
    });
    expect((await summary(knock, bob.accessToken)).body.join_rule).toBe("knock");
    const readable = await createRoom({
      initial_state: [
        { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
      ],
    });
    expect((await summary(readable)).body.world_readable).toBe(true);
  });

  it("shows a restricted room to members of an allowed room, with allowed_room_ids", async () => {
    const space = await createRoom({ preset: "private_chat", creation_content: { type: "m.space" } });
    const restricted = await createRoom({
      initial_state: [
        {
          type: "m.room.join_rules",
          content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: space }] },
        },
      ],
    });
    expect((await summary(restricted, bob.accessToken)).status).toBe(404);
    await server.http.post(`${V3}/rooms/${enc(space)}/invite`, { user_id: bob.userId }, alice.accessToken);
    await server.http.post(`${V3}/join/${enc(space)}`, {}, bob.accessToken);
    const seen = await summary(restricted, bob.accessToken);
    expect(seen.status).toBe(200);
    expect(seen.body.allowed_room_ids).toEqual([space]);
  });
});

describe("space hierarchy", () => {
  const child = (roomId: string, content: Record<string, unknown> = { via: ["localhost"] }) => ({
    type: "m.space.child",
    state_key: roomId,
    content,
  });
  const hierarchy = (roomId: string, query = "", token = bob.accessToken) =>
    server.http.get(`${V1}/rooms/${enc(roomId)}/hierarchy${query}`, token);
  const ids = (body: { rooms?: unknown }) => (body.rooms as Array<{ room_id: string }>).map((r) => r.room_id);

  let space: string;
  let sub: string;
  let general: string;
  let random: string;
  let secret: string;
  let deep: string;
  beforeAll(async () => {
    deep = await createRoom({ preset: "public_chat", name: "Deep" });
    sub = await createRoom({
      preset: "public_chat",
      name: "Sub",
      creation_content: { type: "m.space" },
      initial_state: [child(deep)],
    });
    general = await createRoom({ preset: "public_chat", name: "General" });
    random = await createRoom({ preset: "public_chat", name: "Random" });
    secret = await createRoom({ preset: "private_chat", name: "Secret" });
    const gone = await createRoom({ preset: "public_chat", name: "Removed" });
    space = await createRoom({
      preset: "public_chat",
      name: "Space",
      creation_content: { type: "m.space" },
      initial_state: [
        child(random, { via: ["localhost"] }),
        child(general, { via: ["localhost"], order: "a", suggested: true }),
        child(sub, { via: ["localhost"], order: "b" }),
        child(secret),
        child(gone, {}),
        child("!elsewhere:remote.example"),
      ],
    });
    // A loop back to the top: must not be walked twice.
    await server.http.put(
      `${V3}/rooms/${enc(sub)}/state/m.space.child/${enc(space)}`,
      { via: ["localhost"] },
      alice.accessToken,
    );
  });

  it("walks depth first in the spec's child order, skipping rooms the user cannot see and loops", async () => {
    const res = await hierarchy(space);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(ids(res.body)).toEqual([space, general, sub, deep, random]);
    const top = res.body.rooms[0];
    expect(top).toMatchObject({
      name: "Space",
      room_type: "m.space",
      join_rule: "public",
      num_joined_members: 1,
    });
    // Children state: valid child events only, stripped, with origin_server_ts.
    expect(top.children_state.map((e: { state_key: string }) => e.state_key).sort()).toEqual(
      [general, random, secret, sub, "!elsewhere:remote.example"].sort(),
    );
    expect(Object.keys(top.children_state[0]).sort()).toEqual(
      ["content", "origin_server_ts", "sender", "state_key", "type"].sort(),
    );
    // A room that is not a space has no children state.
    expect(res.body.rooms.find((r: { room_id: string }) => r.room_id === general).children_state).toEqual([]);
    expect(res.body.next_batch).toBeUndefined();
    // Alice, in every room, also sees the private one.
    expect(ids((await hierarchy(space, "", alice.accessToken)).body)).toEqual([
      space,
      general,
      sub,
      deep,
      random,
      secret,
    ]);
  });

  it("honours max_depth and suggested_only", async () => {
    expect(ids((await hierarchy(space, "?max_depth=0")).body)).toEqual([space]);
    expect(ids((await hierarchy(space, "?max_depth=1")).body)).toEqual([space, general, sub, random]);
    expect(ids((await hierarchy(space, "?suggested_only=true")).body)).toEqual([space, general]);
  });

  it("paginates with next_batch and refuses changed parameters", async () => {
    const first = await hierarchy(space, "?limit=2");
    expect(ids(first.body)).toEqual([space, general]);
    const token = first.body.next_batch as string;
    expect(token).toBeTruthy();
    const second = await hierarchy(space, `?limit=2&from=${enc(token)}`);
    expect(ids(second.body)).toEqual([sub, deep]);
    const third = await hierarchy(space, `?limit=2&from=${enc(second.body.next_batch)}`);
    expect(ids(third.body)).toEqual([random]);
    expect(third.body.next_batch).toBeUndefined();
    const changed = await hierarchy(space, `?limit=2&max_depth=1&from=${enc(token)}`);
    expect(changed.status).toBe(400);
    expect(changed.body.errcode).toBe("M_INVALID_PARAM");
    expect((await hierarchy(space, "?from=junk")).status).toBe(400);
    expect((await hierarchy(space, "?limit=0")).status).toBe(400);
  });

  it("refuses a room the user may not see", async () => {
    const res = await hierarchy(secret);
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe("M_FORBIDDEN");
  });
});
