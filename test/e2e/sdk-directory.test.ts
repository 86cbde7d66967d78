/**
 * matrix-js-sdk as the judge of the room directory and room upgrades: a public room with an alias
 * is found in the directory, resolved and joined by alias; a room upgrade leaves a tombstone in the
 * old room pointing at its successor, whose create event names its predecessor. No sync loop: state
 * is read back over the REST API.
 */
import * as sdk from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "../support/sdk.js";
import { registerUser, startTestServer, type TestServer } from "../support/server.js";
import { serverDatabases } from "../support/store-engines.js";

/** SQLite always; PostgreSQL too when the test run started a cluster (test/setup/postgres.ts). */
const engines = serverDatabases();

describe.each(engines)("room directory and upgrades driven by matrix-js-sdk ($name)", (engine) => {
  let server: TestServer;
  let alice: sdk.MatrixClient;
  let bob: sdk.MatrixClient;
  beforeAll(async () => {
    server = await startTestServer(["--open-registration", "--no-rate-limits"], {
      database: await engine.database(),
    });
    const login = async (name: string) => clientFor(server.url, await registerUser(server.http, name));
    alice = await login("alice");
    bob = await login("bob");
  });
  afterAll(() => server.close());

  let roomId: string;

  it("finds a public room in the directory and joins it by alias", async () => {
    ({ room_id: roomId } = await alice.createRoom({
      visibility: sdk.Visibility.Public,
      preset: sdk.Preset.PublicChat,
      name: "Town square",
      topic: "Everyone welcome",
      room_alias_name: "square",
    }));
    await alice.createRoom({ name: "Back office" });

    const listed = await bob.publicRooms({ limit: 10 });
    expect(listed.chunk).toHaveLength(1);
    expect(listed.chunk[0]).toMatchObject({
      room_id: roomId,
      name: "Town square",
      topic: "Everyone welcome",
      canonical_alias: "#square:localhost",
      num_joined_members: 1,
      join_rule: "public",
    });
    const searched = await bob.publicRooms({ filter: { generic_search_term: "town" } });
    expect(searched.chunk.map((r) => r.room_id)).toEqual([roomId]);

    expect(await bob.getRoomIdForAlias("#square:localhost")).toEqual({
      room_id: roomId,
      servers: ["localhost"],
    });
    const joined = await bob.joinRoom("#square:localhost");
    expect(joined.roomId).toBe(roomId);
    const members = await bob.getJoinedRoomMembers(roomId);
    expect(Object.keys(members.joined).sort()).toEqual([alice.getUserId(), bob.getUserId()].sort());
    expect((await bob.getRoomDirectoryVisibility(roomId)).visibility).toBe("public");
    const summary = await bob.getRoomSummary("#square:localhost");
    expect(summary).toMatchObject({ room_id: roomId, membership: "join", num_joined_members: 2 });
  });

  it("upgrades the room: a tombstone points at the successor, whose create event names the predecessor", async () => {
    const { replacement_room: newRoomId } = await alice.upgradeRoom(roomId, "12");
    expect(newRoomId).not.toBe(roomId);

    const tombstone = await bob.getStateEvent(roomId, "m.room.tombstone", "");
    expect(tombstone.replacement_room).toBe(newRoomId);
    const create = await alice.getStateEvent(newRoomId, "m.room.create", "");
    expect(create.predecessor.room_id).toBe(roomId);
    expect(create.room_version).toBe("12");

    // The alias and the directory entry moved with the room.
    expect((await bob.getRoomIdForAlias("#square:localhost")).room_id).toBe(newRoomId);
    expect((await bob.publicRooms()).chunk.map((r) => r.room_id)).toEqual([newRoomId]);
    const joined = await bob.joinRoom(newRoomId);
    expect(joined.roomId).toBe(newRoomId);
    expect(await bob.getStateEvent(newRoomId, "m.room.name", "")).toEqual({ name: "Town square" });
  });
});
