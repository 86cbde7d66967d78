import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { storeEngines } from "../support/store-engines.js";

for (const engine of storeEngines()) {
  describe(`directory store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());

    /** A room row is made by persisting its create event. */
    async function newRoom(roomId: string) {
      const pdu = {
        room_id: roomId,
        sender: "@alice:test",
        type: "m.room.create",
        state_key: "",
        content: { room_version: "10", creator: "@alice:test" },
        prev_events: [],
        auth_events: [],
        depth: 1,
        origin_server_ts: 1000,
        hashes: { sha256: "x" },
        signatures: {},
      } as unknown as Pdu;
      await store.rooms.persistEvent({
        eventId: `$create-${roomId}`,
        pdu,
        isState: true,
        prevEventIds: [],
        newRoom: { roomId, version: "10", creator: "@alice:test", createdTs: 1000 },
      });
    }

    it("maps an alias once; a second create of the same alias reports the conflict", async () => {
      expect(await store.directory.createAlias("#a:test", "!one:test", "@alice:test", 1)).toBe(true);
      expect(await store.directory.createAlias("#a:test", "!two:test", "@bob:test", 2)).toBe(false);
      expect(await store.directory.getAlias("#a:test")).toEqual({
        alias: "#a:test",
        roomId: "!one:test",
        creator: "@alice:test",
        createdTs: 1,
      });
      expect(await store.directory.getAlias("#A:test")).toBeUndefined();
    });

    it("lists a room's aliases sorted and deletes one mapping", async () => {
      await store.directory.createAlias("#c:test", "!three:test", "@alice:test", 1);
      await store.directory.createAlias("#b:test", "!three:test", "@alice:test", 1);
      expect(await store.directory.aliasesOf("!three:test")).toEqual(["#b:test", "#c:test"]);
      expect(await store.directory.deleteAlias("#b:test")).toBe(true);
      expect(await store.directory.deleteAlias("#b:test")).toBe(false);
      expect(await store.directory.aliasesOf("!three:test")).toEqual(["#c:test"]);
    });

    it("reserves an alias that resolves to nothing until bound, and releases an unbound one", async () => {
      expect(await store.directory.reserveAlias("#new:test", "@alice:test", 5)).toBe(true);
      expect(await store.directory.reserveAlias("#new:test", "@bob:test", 6)).toBe(false);
      expect(await store.directory.createAlias("#new:test", "!x:test", "@bob:test", 6)).toBe(false);
      expect(await store.directory.getAlias("#new:test")).toBeUndefined();
      expect(await store.directory.deleteAlias("#new:test")).toBe(false);
      await store.directory.bindReservedAlias("#new:test", "!four:test");
      expect((await store.directory.getAlias("#new:test"))?.roomId).toBe("!four:test");
      // Releasing a bound alias does nothing.
      await store.directory.releaseReservedAlias("#new:test");
      expect((await store.directory.getAlias("#new:test"))?.roomId).toBe("!four:test");

      expect(await store.directory.reserveAlias("#gone:test", "@alice:test", 5)).toBe(true);
      await store.directory.releaseReservedAlias("#gone:test");
      expect(await store.directory.reserveAlias("#gone:test", "@bob:test", 7)).toBe(true);
    });

    it("moves every alias of a room to another in one step", async () => {
      await store.directory.createAlias("#m1:test", "!old:test", "@alice:test", 1);
      await store.directory.createAlias("#m2:test", "!old:test", "@bob:test", 1);
      expect(await store.directory.moveAliases("!old:test", "!new:test")).toEqual(["#m1:test", "#m2:test"]);
      expect(await store.directory.aliasesOf("!old:test")).toEqual([]);
      expect(await store.directory.aliasesOf("!new:test")).toEqual(["#m1:test", "#m2:test"]);
      expect((await store.directory.getAlias("#m2:test"))?.creator).toBe("@bob:test");
      expect(await store.directory.moveAliases("!nothing:test", "!new:test")).toEqual([]);
    });

    it("lists the rooms published in the directory", async () => {
      await newRoom("!pub-b:test");
      await newRoom("!pub-a:test");
      await newRoom("!priv:test");
      expect(await store.directory.publishedRoomIds()).toEqual([]);
      await store.rooms.setPublic("!pub-b:test", true);
      await store.rooms.setPublic("!pub-a:test", true);
      expect(await store.directory.publishedRoomIds()).toEqual(["!pub-a:test", "!pub-b:test"]);
      await store.rooms.setPublic("!pub-b:test", false);
      expect(await store.directory.publishedRoomIds()).toEqual(["!pub-a:test"]);
    });

    it("stores reports with increasing IDs and lists them newest first", async () => {
      const first = await store.directory.addReport({
        kind: "event",
        reporter: "@bob:test",
        roomId: "!r:test",
        eventId: "$e",
        targetUserId: null,
        reason: "spam",
        score: -100,
        createdTs: 10,
      });
      const second = await store.directory.addReport({
        kind: "room",
        reporter: "@carol:test",
        roomId: "!r:test",
        eventId: null,
        targetUserId: null,
        reason: "",
        score: null,
        createdTs: 11,
      });
      expect(second).toBeGreaterThan(first);
      const all = await store.directory.listReports({ limit: 10 });
      expect(all.map((r) => r.id)).toEqual([second, first]);
      expect(all[1]).toEqual({
        id: first,
        kind: "event",
        reporter: "@bob:test",
        roomId: "!r:test",
        eventId: "$e",
        targetUserId: null,
        reason: "spam",
        score: -100,
        createdTs: 10,
      });
      expect((await store.directory.listReports({ limit: 10, before: second })).map((r) => r.id)).toEqual([
        first,
      ]);
      expect((await store.directory.listReports({ limit: 10, kind: "room" })).map((r) => r.id)).toEqual([
        second,
      ]);
      expect(await store.directory.listReports({ limit: 1 })).toHaveLength(1);
    });
  });
}
