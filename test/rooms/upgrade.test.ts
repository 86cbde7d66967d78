/** Room upgrades over HTTP (spec: client-server-api "Room Upgrades", "Server behaviour"). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const enc = encodeURIComponent;
const V3 = "/_matrix/client/v3";

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

const upgrade = (roomId: string, body: Record<string, unknown>, token = alice.accessToken) =>
  server.http.post(`${V3}/rooms/${enc(roomId)}/upgrade`, body, token);

async function state(roomId: string, type: string, token = alice.accessToken, stateKey = "") {
  const res = await server.http.get(
    `${V3}/rooms/${enc(roomId)}/state/${type}/${enc(stateKey)}?format=event`,
    token,
  );
  return res.status === 200 ? res.body : undefined;
}

describe("POST /rooms/{roomId}/upgrade", () => {
  it("creates the successor with the predecessor, copies the state and tombstones the old room", async () => {
    const oldRoom = await createRoom({
      room_version: "10",
      preset: "public_chat",
      visibility: "public",
      name: "Book club",
      topic: "Reading",
      room_alias_name: "books",
      creation_content: { type: "org.example.club" },
      initial_state: [
        { type: "m.room.avatar", content: { url: "mxc://localhost/book" } },
        { type: "m.room.encryption", content: { algorithm: "m.megolm.v1.aes-sha2" } },
        {
          type: "m.room.server_acl",
          content: { allow: ["*"], deny: ["evil.example"], allow_ip_literals: false },
        },
        { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
        { type: "org.example.custom", content: { secret: true } },
      ],
    });
    await server.http.post(`${V3}/join/${enc(oldRoom)}`, {}, bob.accessToken);
    const res = await upgrade(oldRoom, { new_version: "11" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const newRoom = res.body.replacement_room as string;
    expect(newRoom).not.toBe(oldRoom);

    const create = await state(newRoom, "m.room.create");
    expect(create?.sender).toBe(alice.userId);
    expect(create?.content.room_version).toBe("11");
    expect(create?.content.type).toBe("org.example.club");
    expect(create?.content.creator).toBeUndefined();
    expect(create?.content.predecessor.room_id).toBe(oldRoom);
    expect(create?.content.predecessor.event_id).toMatch(/^\$/);

    for (const [type, content] of [
      ["m.room.name", { name: "Book club" }],
      ["m.room.avatar", { url: "mxc://localhost/book" }],
      ["m.room.encryption", { algorithm: "m.megolm.v1.aes-sha2" }],
      ["m.room.join_rules", { join_rule: "public" }],
      ["m.room.history_visibility", { history_visibility: "world_readable" }],
      ["m.room.guest_access", { guest_access: "forbidden" }],
      ["m.room.canonical_alias", { alias: "#books:localhost" }],
    ] as const) {
      expect((await state(newRoom, type))?.content, type).toEqual(content);
    }
    expect((await state(newRoom, "m.room.topic"))?.content.topic).toBe("Reading");
    expect((await state(newRoom, "m.room.server_acl"))?.content.deny).toEqual(["evil.example"]);
    // Events outside the Matrix namespace and memberships of others are not transferred.
    expect(await state(newRoom, "org.example.custom")).toBeUndefined();
    expect(await state(newRoom, "m.room.member", alice.accessToken, bob.userId)).toBeUndefined();

    // The power levels are copied, and the upgrader is back at their own level.
    const oldLevels = (await state(oldRoom, "m.room.power_levels"))?.content;
    const newLevels = (await state(newRoom, "m.room.power_levels"))?.content;
    expect(newLevels.users).toEqual({ [alice.userId]: 100 });
    expect(newLevels.state_default).toBe(50);

    // The old room: tombstone, restricted power levels, no alias, not in the directory.
    const tombstone = await state(oldRoom, "m.room.tombstone");
    expect(tombstone?.content).toEqual({ body: "This room has been replaced", replacement_room: newRoom });
    expect(oldLevels.events_default).toBe(50);
    expect(oldLevels.invite).toBe(50);
    expect((await state(oldRoom, "m.room.canonical_alias"))?.content).toEqual({});
    expect((await server.http.get(`${V3}/directory/room/${enc("#books:localhost")}`)).body.room_id).toBe(
      newRoom,
    );
    expect((await server.http.get(`${V3}/directory/list/room/${enc(newRoom)}`)).body.visibility).toBe(
      "public",
    );
    expect((await server.http.get(`${V3}/directory/list/room/${enc(oldRoom)}`)).body.visibility).toBe(
      "private",
    );
    const aliases = await server.http.get(`${V3}/rooms/${enc(newRoom)}/aliases`, alice.accessToken);
    expect(aliases.body.aliases).toEqual(["#books:localhost"]);

    // Bob, an ordinary member, can no longer talk in the old room, but can join the new one.
    const talk = await server.http.put(
      `${V3}/rooms/${enc(oldRoom)}/send/m.room.message/t1`,
      { msgtype: "m.text", body: "still here?" },
      bob.accessToken,
    );
    expect(talk.status).toBe(403);
    expect(
      (await server.http.post(`${V3}/join/${enc("#books:localhost")}`, {}, bob.accessToken)).body.room_id,
    ).toBe(newRoom);
  });

  it("upgrades to version 12: the upgrader is the creator, additional creators only when named", async () => {
    const oldRoom = await createRoom({ room_version: "10", preset: "public_chat" });
    await server.http.post(`${V3}/join/${enc(oldRoom)}`, {}, bob.accessToken);
    // Bob at 50 in the old room's power levels.
    const levels = (await state(oldRoom, "m.room.power_levels"))?.content;
    await server.http.put(
      `${V3}/rooms/${enc(oldRoom)}/state/m.room.power_levels`,
      { ...levels, users: { ...levels.users, [bob.userId]: 50 } },
      alice.accessToken,
    );
    const res = await upgrade(oldRoom, { new_version: "12", additional_creators: [bob.userId] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const newRoom = res.body.replacement_room as string;
    expect(newRoom).toMatch(/^![A-Za-z0-9_-]{43}$/);
    const create = await state(newRoom, "m.room.create");
    expect(create?.sender).toBe(alice.userId);
    expect(create?.content.additional_creators).toEqual([bob.userId]);
    expect(create?.content.predecessor.room_id).toBe(oldRoom);
    // Creators are not listed in a v12 room's power levels.
    const newLevels = (await state(newRoom, "m.room.power_levels"))?.content;
    expect(newLevels.users).toEqual({});
    expect((await state(oldRoom, "m.room.tombstone"))?.content.replacement_room).toBe(newRoom);

    // A v12 room upgraded again without additional_creators drops them.
    const again = await upgrade(newRoom, { new_version: "12" });
    expect(again.status).toBe(200);
    const third = await state(again.body.replacement_room, "m.room.create");
    expect(third?.content.additional_creators).toBeUndefined();
  });

  it("raises a moderator who may send the tombstone but not every state event, then restores them", async () => {
    const oldRoom = await createRoom({
      room_version: "9",
      preset: "public_chat",
      power_level_content_override: {
        events: { "m.room.tombstone": 50, "m.room.power_levels": 100, "m.room.encryption": 100 },
      },
    });
    await server.http.post(`${V3}/join/${enc(oldRoom)}`, {}, bob.accessToken);
    const levels = (await state(oldRoom, "m.room.power_levels"))?.content;
    await server.http.put(
      `${V3}/rooms/${enc(oldRoom)}/state/m.room.power_levels`,
      { ...levels, users: { ...levels.users, [bob.userId]: 50 } },
      alice.accessToken,
    );
    const res = await upgrade(oldRoom, { new_version: "10" }, bob.accessToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const newRoom = res.body.replacement_room as string;
    const newLevels = (await state(newRoom, "m.room.power_levels", bob.accessToken))?.content;
    expect(newLevels.users[bob.userId]).toBe(50);
    expect(newLevels.users[alice.userId]).toBe(100);
    expect((await state(newRoom, "m.room.create", bob.accessToken))?.content.creator).toBe(bob.userId);
  });

  it("refuses users without the power to send a tombstone, non-members and unknown versions", async () => {
    const roomId = await createRoom({ preset: "public_chat" });
    await server.http.post(`${V3}/join/${enc(roomId)}`, {}, bob.accessToken);
    const denied = await upgrade(roomId, { new_version: "12" }, bob.accessToken);
    expect(denied.status).toBe(403);
    expect(denied.body.errcode).toBe("M_FORBIDDEN");
    const unknown = await upgrade(roomId, { new_version: "999" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
    const missing = await upgrade(roomId, {});
    expect(missing.status).toBe(400);
    const noRoom = await upgrade("!nope:localhost", { new_version: "12" });
    expect(noRoom.status).toBe(404);
    const badCreator = await upgrade(roomId, { new_version: "12", additional_creators: ["bob"] });
    expect(badCreator.body.errcode).toBe("M_INVALID_PARAM");
  });
});
