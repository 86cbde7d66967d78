/** Contract of the user directory read (`searchVisible`), on every store engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { storeEngines } from "../support/store-engines.js";

let seq = 0;

/** Persists one state event; the room row comes with its create event. */
async function state(store: Store, roomId: string, type: string, stateKey: string, content: object) {
  const eventId = `$e${++seq}`;
  const pdu = {
    room_id: roomId,
    sender: "@owner:test",
    type,
    state_key: stateKey,
    content,
    prev_events: [],
    auth_events: [],
    depth: seq,
    origin_server_ts: seq,
  } as unknown as Pdu;
  await store.rooms.persistEvent({
    eventId,
    pdu,
    isState: true,
    prevEventIds: [],
    ...(type === "m.room.create"
      ? { newRoom: { roomId, version: "11", creator: "@owner:test", createdTs: 1 } }
      : {}),
  });
}

const room = (store: Store, roomId: string) => state(store, roomId, "m.room.create", "", {});
const member = (store: Store, roomId: string, userId: string, membership: string, extra: object = {}) =>
  state(store, roomId, "m.room.member", userId, { membership, ...extra });

async function localUser(store: Store, localpart: string, displayname: string | null = null) {
  await store.users.create({
    userId: `@${localpart}:test`,
    localpart,
    passwordHash: null,
    isAdmin: false,
    isGuest: false,
    createdTs: 1,
    displayname,
  });
}

for (const engine of storeEngines()) {
  describe(`user directory store contract (${engine.name})`, () => {
    let store: Store;
    const ids = async (requester: string, term: string, limit = 50) =>
      (await store.userDirectory.searchVisible(requester, term, limit)).map((e) => e.userId);

    beforeAll(async () => {
      store = await engine.open();
      for (const name of ["me", "friend", "stranger", "published", "joinable", "readable", "gone"]) {
        await localUser(store, name, name === "friend" ? "Best Friend" : null);
      }
      await localUser(store, "loner");
      // A private room the requester shares with friend; stranger was there but left, invitee is
      // only invited.
      await room(store, "!shared:test");
      await member(store, "!shared:test", "@me:test", "join");
      await member(store, "!shared:test", "@friend:test", "join", { displayname: "Room Nick" });
      await member(store, "!shared:test", "@stranger:test", "join");
      await member(store, "!shared:test", "@stranger:test", "leave");
      await member(store, "!shared:test", "@invitee:remote", "invite");
      await member(store, "!shared:test", "@far:remote", "join", {
        displayname: "Faraway",
        avatar_url: "mxc://remote/far",
      });
      // A private room without the requester.
      await room(store, "!hidden:test");
      await member(store, "!hidden:test", "@stranger:test", "join", { displayname: "Secret Name" });
      await member(store, "!hidden:test", "@friend:test", "join", { displayname: "Hidden Nick" });
      // Public in three ways: published, join rule public, world-readable history.
      await room(store, "!published:test");
      await store.rooms.setPublic("!published:test", true);
      await member(store, "!published:test", "@published:test", "join");
      await room(store, "!joinable:test");
      await state(store, "!joinable:test", "m.room.join_rules", "", { join_rule: "public" });
      await member(store, "!joinable:test", "@joinable:test", "join");
      await member(store, "!joinable:test", "@gone:test", "join");
      await room(store, "!readable:test");
      await state(store, "!readable:test", "m.room.history_visibility", "", {
        history_visibility: "world_readable",
      });
      await member(store, "!readable:test", "@readable:test", "join");
      // A room whose join rule was public and is now invite-only.
      await room(store, "!closed:test");
      await state(store, "!closed:test", "m.room.join_rules", "", { join_rule: "public" });
      await state(store, "!closed:test", "m.room.join_rules", "", { join_rule: "invite" });
      await member(store, "!closed:test", "@loner:test", "join");
      await store.users.deactivate("@gone:test");
    });
    afterAll(() => store.close());

    it("finds the requester, who shares rooms with them, and who is in public rooms", async () => {
      expect(await ids("@me:test", "")).toEqual([
        "@far:remote",
        "@friend:test",
        "@joinable:test",
        "@me:test",
        "@published:test",
        "@readable:test",
      ]);
    });

    it("finds nobody who only left, was invited, sits in private rooms or is deactivated", async () => {
      expect(await ids("@me:test", "stranger")).toEqual([]);
      expect(await ids("@me:test", "invitee")).toEqual([]);
      expect(await ids("@me:test", "loner")).toEqual([]);
      expect(await ids("@me:test", "gone")).toEqual([]);
      // The requester sees only themselves and public rooms when in no room.
      expect(await ids("@loner:test", "")).toEqual([
        "@joinable:test",
        "@loner:test",
        "@published:test",
        "@readable:test",
      ]);
    });

    it("matches user ID, profile name and member-event names in visible rooms, case-insensitively", async () => {
      expect(await ids("@me:test", "FRIEND:TE")).toEqual(["@friend:test"]);
      expect(await ids("@me:test", "best fr")).toEqual(["@friend:test"]);
      expect(await ids("@me:test", "room nick")).toEqual(["@friend:test"]);
      // Names from rooms the requester cannot see do not count.
      expect(await ids("@me:test", "hidden nick")).toEqual([]);
      expect(await ids("@me:test", "secret")).toEqual([]);
    });

    it("returns local users with their profile and remote users with their member event's", async () => {
      expect(await store.userDirectory.searchVisible("@me:test", "friend", 10)).toEqual([
        { userId: "@friend:test", displayname: "Best Friend", avatarUrl: null },
      ]);
      expect(await store.userDirectory.searchVisible("@me:test", "far", 10)).toEqual([
        { userId: "@far:remote", displayname: "Faraway", avatarUrl: "mxc://remote/far" },
      ]);
    });

    it("takes LIKE wildcards literally and applies the limit", async () => {
      expect(await ids("@me:test", "%")).toEqual([]);
      expect(await ids("@me:test", "_")).toEqual([]);
      expect(await ids("@me:test", "", 2)).toEqual(["@far:remote", "@friend:test"]);
    });
  });
}
