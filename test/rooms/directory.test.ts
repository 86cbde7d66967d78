/** Room aliases, canonical alias validation, joining by alias, the published room directory and
 * content reports, over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const enc = encodeURIComponent;
const V3 = "/_matrix/client/v3";

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  admin = await registerUser(server.http, "operator");
  await server.services.store.users.setAdmin(admin.userId, true);
});
afterAll(() => server.close());

async function createRoom(body: Record<string, unknown> = {}, token = alice.accessToken) {
  const res = await server.http.post(`${V3}/createRoom`, body, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.room_id as string;
}

const aliasPath = (alias: string) => `${V3}/directory/room/${enc(alias)}`;

describe("room aliases", () => {
  it("creates, resolves and lists an alias; a second create is 409 M_UNKNOWN", async () => {
    const roomId = await createRoom();
    expect(
      (await server.http.put(aliasPath("#ops:localhost"), { room_id: roomId }, alice.accessToken)).status,
    ).toBe(200);
    const resolved = await server.http.get(aliasPath("#ops:localhost"));
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ room_id: roomId, servers: ["localhost"] });

    const again = await server.http.put(aliasPath("#ops:localhost"), { room_id: roomId }, alice.accessToken);
    expect(again.status).toBe(409);
    expect(again.body.errcode).toBe("M_UNKNOWN");

    const listed = await server.http.get(`${V3}/rooms/${enc(roomId)}/aliases`, alice.accessToken);
    expect(listed.body).toEqual({ aliases: ["#ops:localhost"] });
    const outsider = await server.http.get(`${V3}/rooms/${enc(roomId)}/aliases`, bob.accessToken);
    expect(outsider.status).toBe(403);
    expect(outsider.body.errcode).toBe("M_FORBIDDEN");
  });

  it("refuses invalid aliases, other servers' aliases, and users not in the room", async () => {
    const roomId = await createRoom();
    const invalid = await server.http.put(aliasPath("#no-server"), { room_id: roomId }, alice.accessToken);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errcode).toBe("M_INVALID_PARAM");
    const remote = await server.http.put(
      aliasPath("#x:elsewhere.example"),
      { room_id: roomId },
      alice.accessToken,
    );
    expect(remote.status).toBe(400);
    expect(remote.body.errcode).toBe("M_INVALID_PARAM");
    const notMember = await server.http.put(
      aliasPath("#bobs:localhost"),
      { room_id: roomId },
      bob.accessToken,
    );
    expect(notMember.status).toBe(403);
    // A server admin needs no membership.
    expect(
      (await server.http.put(aliasPath("#admins:localhost"), { room_id: roomId }, admin.accessToken)).status,
    ).toBe(200);
    const unknownRoom = await server.http.put(
      aliasPath("#nowhere:localhost"),
      { room_id: "!nope:localhost" },
      alice.accessToken,
    );
    expect(unknownRoom.status).toBe(404);
  });

  it("resolves unknown and remote aliases to 404 M_NOT_FOUND", async () => {
    const missing = await server.http.get(aliasPath("#missing:localhost"));
    expect(missing.status).toBe(404);
    expect(missing.body.errcode).toBe("M_NOT_FOUND");
    const remote = await server.http.get(aliasPath("#room:elsewhere.example"));
    expect(remote.status).toBe(404);
  });

  it("lets the creator, a room admin or a server admin delete an alias, and no one else", async () => {
    const roomId = await createRoom({ preset: "public_chat" });
    await server.http.post(`${V3}/join/${enc(roomId)}`, {}, bob.accessToken);
    // Bob, an ordinary member, makes an alias; Alice (room admin) may delete it.
    expect(
      (await server.http.put(aliasPath("#bobs-alias:localhost"), { room_id: roomId }, bob.accessToken))
        .status,
    ).toBe(200);
    expect(
      (await server.http.put(aliasPath("#alices:localhost"), { room_id: roomId }, alice.accessToken)).status,
    ).toBe(200);
    const denied = await server.http.delete(aliasPath("#alices:localhost"), undefined, bob.accessToken);
    expect(denied.status).toBe(403);
    expect(
      (await server.http.delete(aliasPath("#bobs-alias:localhost"), undefined, alice.accessToken)).status,
    ).toBe(200);
    expect((await server.http.get(aliasPath("#bobs-alias:localhost"))).status).toBe(404);
    expect(
      (await server.http.delete(aliasPath("#alices:localhost"), undefined, admin.accessToken)).status,
    ).toBe(200);
    const gone = await server.http.delete(aliasPath("#alices:localhost"), undefined, alice.accessToken);
    expect(gone.status).toBe(404);
  });

  it("drops a deleted alias from the room's canonical alias event", async () => {
    const roomId = await createRoom({ room_alias_name: "dropme" });
    const state = () =>
      server.http.get(`${V3}/rooms/${enc(roomId)}/state/m.room.canonical_alias`, alice.accessToken);
    expect((await state()).body).toEqual({ alias: "#dropme:localhost" });
    expect(
      (await server.http.delete(aliasPath("#dropme:localhost"), undefined, alice.accessToken)).status,
    ).toBe(200);
    expect((await state()).body).toEqual({});
  });
});

describe("createRoom with room_alias_name", () => {
  it("reserves the alias, sets it as canonical alias, and refuses a taken one with M_ROOM_IN_USE", async () => {
    const roomId = await createRoom({ room_alias_name: "general", preset: "public_chat" });
    expect((await server.http.get(aliasPath("#general:localhost"))).body.room_id).toBe(roomId);
    const canonical = await server.http.get(
      `${V3}/rooms/${enc(roomId)}/state/m.room.canonical_alias`,
      alice.accessToken,
    );
    expect(canonical.body).toEqual({ alias: "#general:localhost" });
    const taken = await server.http.post(`${V3}/createRoom`, { room_alias_name: "general" }, bob.accessToken);
    expect(taken.status).toBe(400);
    expect(taken.body.errcode).toBe("M_ROOM_IN_USE");
    const bad = await server.http.post(`${V3}/createRoom`, { room_alias_name: "a:b" }, bob.accessToken);
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe("M_INVALID_PARAM");
  });

  it("releases the reservation when the room cannot be created", async () => {
    const failed = await server.http.post(
      `${V3}/createRoom`,
      { room_alias_name: "retry", room_version: "999" },
      alice.accessToken,
    );
    expect(failed.body.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
    const roomId = await createRoom({ room_alias_name: "retry" });
    expect((await server.http.get(aliasPath("#retry:localhost"))).body.room_id).toBe(roomId);
  });
});

describe("m.room.canonical_alias validation", () => {
  const put = (roomId: string, content: unknown) =>
    server.http.put(`${V3}/rooms/${enc(roomId)}/state/m.room.canonical_alias`, content, alice.accessToken);

  it("refuses local aliases that do not point to the room with M_BAD_ALIAS", async () => {
    const roomId = await createRoom();
    const other = await createRoom({ room_alias_name: "elsewhere" });
    expect(other).toBeTruthy();
    const unknown = await put(roomId, { alias: "#unmapped:localhost" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errcode).toBe("M_BAD_ALIAS");
    const wrongRoom = await put(roomId, { alt_aliases: ["#elsewhere:localhost"] });
    expect(wrongRoom.body.errcode).toBe("M_BAD_ALIAS");
  });

  it("refuses invalid syntax with M_INVALID_PARAM and accepts aliases that point to the room", async () => {
    const roomId = await createRoom();
    expect((await put(roomId, { alias: "not-an-alias" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await put(roomId, { alt_aliases: "#x:localhost" })).body.errcode).toBe("M_INVALID_PARAM");
    await server.http.put(aliasPath("#mine:localhost"), { room_id: roomId }, alice.accessToken);
    await server.http.put(aliasPath("#mine2:localhost"), { room_id: roomId }, alice.accessToken);
    const ok = await put(roomId, {
      alias: "#mine:localhost",
      alt_aliases: ["#mine2:localhost", "#remote:elsewhere.example"],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // Aliases already advertised are not checked again: an alias may drift away later (here it is
    // dropped from the store directly, which leaves the canonical alias event as it was).
    await server.services.store.directory.deleteAlias("#mine2:localhost");
    const keep = await put(roomId, { alias: "#mine:localhost", alt_aliases: ["#mine2:localhost"] });
    expect(keep.status).toBe(200);
    expect((await put(roomId, {})).status).toBe(200);
  });
});

describe("join and knock by alias", () => {
  it("joins a public room by its alias", async () => {
    const roomId = await createRoom({ preset: "public_chat", room_alias_name: "lobby" });
    const joined = await server.http.post(`${V3}/join/${enc("#lobby:localhost")}`, {}, bob.accessToken);
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ room_id: roomId });
    const members = await server.http.get(`${V3}/rooms/${enc(roomId)}/joined_members`, bob.accessToken);
    expect(Object.keys(members.body.joined)).toContain(bob.userId);
  });

  it("knocks on a knockable room by its alias", async () => {
    const roomId = await createRoom({
      room_alias_name: "knocky",
      initial_state: [{ type: "m.room.join_rules", content: { join_rule: "knock" } }],
    });
    const knocked = await server.http.post(`${V3}/knock/${enc("#knocky:localhost")}`, {}, bob.accessToken);
    expect(knocked.status).toBe(200);
    expect(knocked.body).toEqual({ room_id: roomId });
  });

  it("answers 404 for unknown and remote aliases, 400 for something that is neither", async () => {
    expect((await server.http.post(`${V3}/join/${enc("#nope:localhost")}`, {}, bob.accessToken)).status).toBe(
      404,
    );
    const remote = await server.http.post(`${V3}/join/${enc("#x:elsewhere.example")}`, {}, bob.accessToken);
    expect(remote.status).toBe(404);
    expect(remote.body.errcode).toBe("M_NOT_FOUND");
    expect((await server.http.post(`${V3}/join/nothing`, {}, bob.accessToken)).status).toBe(400);
  });
});

describe("published room directory", () => {
  let dirServer: TestServer;
  let carol: TestUser;
  let dave: TestUser;
  beforeAll(async () => {
    // A server of its own, so the directory holds only this test's rooms.
    dirServer = await startTestServer(["--open-registration", "--no-rate-limits"]);
    carol = await registerUser(dirServer.http, "carol");
    dave = await registerUser(dirServer.http, "dave");
  });
  afterAll(() => dirServer.close());

  const create = async (body: Record<string, unknown>, token = carol.accessToken) => {
    const res = await dirServer.http.post(`${V3}/createRoom`, body, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.room_id as string;
  };

  it("lists public rooms with the spec's fields, largest first, and hides private ones", async () => {
    const big = await create({
      visibility: "public",
      preset: "public_chat",
      name: "Gardening",
      topic: "Plants and soil",
      room_alias_name: "garden",
      initial_state: [
        { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
        { type: "m.room.guest_access", content: { guest_access: "can_join" } },
        { type: "m.room.avatar", content: { url: "mxc://localhost/leaf" } },
      ],
    });
    await dirServer.http.post(`${V3}/join/${enc(big)}`, {}, dave.accessToken);
    const space = await create({
      visibility: "public",
      preset: "public_chat",
      name: "Hobbies",
      creation_content: { type: "m.space" },
    });
    await create({ visibility: "private", name: "Secret" });

    const listed = await dirServer.http.get(`${V3}/publicRooms`);
    expect(listed.status).toBe(200);
    expect(listed.body.total_room_count_estimate).toBe(2);
    expect(listed.body.chunk).toEqual([
      {
        room_id: big,
        name: "Gardening",
        topic: "Plants and soil",
        avatar_url: "mxc://localhost/leaf",
        canonical_alias: "#garden:localhost",
        num_joined_members: 2,
        world_readable: true,
        guest_can_join: true,
        join_rule: "public",
      },
      {
        room_id: space,
        name: "Hobbies",
        num_joined_members: 1,
        world_readable: false,
        guest_can_join: false,
        join_rule: "public",
        room_type: "m.space",
      },
    ]);
    expect(listed.body.next_batch).toBeUndefined();
    expect(listed.body.prev_batch).toBeUndefined();
  });

  it("filters by search term over name, topic and alias, and by room type", async () => {
    const search = async (filter: Record<string, unknown>) =>
      (await dirServer.http.post(`${V3}/publicRooms`, { filter }, carol.accessToken)).body.chunk.map(
        (r: { name: string }) => r.name,
      );
    expect(await search({ generic_search_term: "SOIL" })).toEqual(["Gardening"]);
    expect(await search({ generic_search_term: "#garden" })).toEqual(["Gardening"]);
    expect(await search({ generic_search_term: "hobb" })).toEqual(["Hobbies"]);
    expect(await search({ generic_search_term: "secret" })).toEqual([]);
    expect(await search({ room_types: ["m.space"] })).toEqual(["Hobbies"]);
    expect(await search({ room_types: [null] })).toEqual(["Gardening"]);
    expect(await search({ room_types: [null, "m.space"] })).toEqual(["Gardening", "Hobbies"]);
  });

  it("paginates with next_batch and prev_batch", async () => {
    const first = await dirServer.http.get(`${V3}/publicRooms?limit=1`);
    expect(first.body.chunk.map((r: { name: string }) => r.name)).toEqual(["Gardening"]);
    expect(first.body.prev_batch).toBeUndefined();
    const second = await dirServer.http.post(
      `${V3}/publicRooms`,
      { limit: 1, since: first.body.next_batch },
      carol.accessToken,
    );
    expect(second.body.chunk.map((r: { name: string }) => r.name)).toEqual(["Hobbies"]);
    expect(second.body.next_batch).toBeUndefined();
    const back = await dirServer.http.get(`${V3}/publicRooms?limit=1&since=${second.body.prev_batch}`);
    expect(back.body.chunk.map((r: { name: string }) => r.name)).toEqual(["Gardening"]);
    const bad = await dirServer.http.get(`${V3}/publicRooms?since=garbage`);
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe("M_INVALID_PARAM");
  });

  it("answers only for this server", async () => {
    expect((await dirServer.http.get(`${V3}/publicRooms?server=localhost`)).status).toBe(200);
    const remote = await dirServer.http.get(`${V3}/publicRooms?server=elsewhere.example`);
    expect(remote.status).toBe(404);
  });

  it("reads and sets a room's visibility; only those with power over the canonical alias may", async () => {
    const roomId = await create({ preset: "public_chat", name: "Later" });
    const path = `${V3}/directory/list/room/${enc(roomId)}`;
    expect((await dirServer.http.get(path)).body).toEqual({ visibility: "private" });
    await dirServer.http.post(`${V3}/join/${enc(roomId)}`, {}, dave.accessToken);
    const denied = await dirServer.http.put(path, { visibility: "public" }, dave.accessToken);
    expect(denied.status).toBe(403);
    expect((await dirServer.http.put(path, { visibility: "public" }, carol.accessToken)).status).toBe(200);
    expect((await dirServer.http.get(path)).body).toEqual({ visibility: "public" });
    const names = (await dirServer.http.get(`${V3}/publicRooms`)).body.chunk.map(
      (r: { name: string }) => r.name,
    );
    expect(names).toContain("Later");
    expect((await dirServer.http.put(path, { visibility: "private" }, carol.accessToken)).status).toBe(200);
    expect((await dirServer.http.get(path)).body).toEqual({ visibility: "private" });
    const unknown = await dirServer.http.get(`${V3}/directory/list/room/${enc("!unknown:localhost")}`);
    expect(unknown.status).toBe(404);
  });
});

describe("reporting content", () => {
  it("stores event, room and user reports for admins; 404 for events the reporter cannot see", async () => {
    const roomId = await createRoom({ preset: "public_chat" });
    const sent = await server.http.put(
      `${V3}/rooms/${enc(roomId)}/send/m.room.message/r1`,
      { msgtype: "m.text", body: "rude" },
      alice.accessToken,
    );
    const eventId = sent.body.event_id as string;
    const reportPath = `${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`;
    // Bob is not in the room yet: 404, as for an unknown event.
    const outside = await server.http.post(reportPath, { reason: "spam" }, bob.accessToken);
    expect(outside.status).toBe(404);
    expect(outside.body.errcode).toBe("M_NOT_FOUND");
    await server.http.post(`${V3}/join/${enc(roomId)}`, {}, bob.accessToken);
    expect(
      (await server.http.post(reportPath, { reason: "spam", score: -100 }, bob.accessToken)).status,
    ).toBe(200);
    const badScore = await server.http.post(reportPath, { score: 5 }, bob.accessToken);
    expect(badScore.status).toBe(400);
    const unknownEvent = await server.http.post(
      `${V3}/rooms/${enc(roomId)}/report/${enc("$nope")}`,
      {},
      bob.accessToken,
    );
    expect(unknownEvent.status).toBe(404);

    // Room reports need no membership; unknown rooms are 404.
    const roomReport = await server.http.post(
      `${V3}/rooms/${enc(roomId)}/report`,
      { reason: "" },
      admin.accessToken,
    );
    expect(roomReport.status).toBe(200);
    expect(
      (
        await server.http.post(
          `${V3}/rooms/${enc("!gone:localhost")}/report`,
          { reason: "x" },
          bob.accessToken,
        )
      ).status,
    ).toBe(404);
    expect(
      (await server.http.post(`${V3}/users/${enc(alice.userId)}/report`, { reason: "x" }, bob.accessToken))
        .status,
    ).toBe(200);
    expect(
      (
        await server.http.post(
          `${V3}/users/${enc("@ghost:localhost")}/report`,
          { reason: "x" },
          bob.accessToken,
        )
      ).status,
    ).toBe(404);

    const reports = await server.services.store.directory.listReports({ limit: 10 });
    expect(reports.map((r) => [r.kind, r.reporter, r.reason])).toEqual([
      ["user", bob.userId, "x"],
      ["room", admin.userId, ""],
      ["event", bob.userId, "spam"],
    ]);
    expect(reports[2]).toMatchObject({ roomId, eventId, targetUserId: alice.userId, score: -100 });

    // Server admins read them through the Synapse admin API; others may not.
    const listed = await server.http.get("/_synapse/admin/v1/event_reports", admin.accessToken);
    expect(listed.status).toBe(200);
    expect(listed.body.event_reports).toEqual([
      expect.objectContaining({ room_id: roomId, event_id: eventId, user_id: bob.userId, reason: "spam" }),
    ]);
    const rooms = await server.http.get("/_synapse/admin/v1/room_reports?limit=1", admin.accessToken);
    expect(rooms.body.room_reports).toHaveLength(1);
    expect(rooms.body.next_token).toBeTypeOf("number");
    const after = await server.http.get(
      `/_synapse/admin/v1/room_reports?limit=1&from=${rooms.body.next_token}`,
      admin.accessToken,
    );
    expect(after.body.room_reports).toEqual([]);
    expect((await server.http.get("/_synapse/admin/v1/event_reports", bob.accessToken)).status).toBe(403);
  });
});
