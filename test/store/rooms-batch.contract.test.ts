/** Contract of group commit (`persistEvents`) and the batched sync reads, on every store engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuplicateTransactionError, type NewEvent } from "../../src/ports/store/rooms.js";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { storeEngines } from "../support/store-engines.js";

const event = (
  id: string,
  room: string,
  depth: number,
  prev: string[],
  extra: Partial<NewEvent> = {},
): NewEvent => ({
  eventId: id,
  pdu: {
    room_id: room,
    sender: "@alice:test",
    type: "m.room.message",
    content: { body: id },
    prev_events: prev,
    auth_events: [],
    depth,
    origin_server_ts: 1000 + depth,
  } as unknown as Pdu,
  isState: false,
  prevEventIds: prev,
  ...extra,
});

for (const engine of storeEngines()) {
  describe(`room batch store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      const create = event("$create", "!a:test", 1, [], {
        newRoom: { roomId: "!a:test", version: "11", creator: "@alice:test", createdTs: 1 },
      });
      await store.rooms.persistEvent(create);
      await store.rooms.persistEvent(
        event("$createB", "!b:test", 1, [], {
          newRoom: { roomId: "!b:test", version: "11", creator: "@alice:test", createdTs: 1 },
        }),
      );
    });
    afterAll(() => store.close());

    it("stores a chained batch in order with one forward extremity", async () => {
      const orderings = await store.rooms.persistEvents([
        event("$m1", "!a:test", 2, ["$create"]),
        event("$m2", "!a:test", 3, ["$m1"]),
        event("$m3", "!a:test", 4, ["$m2"]),
      ]);
      expect(orderings).toHaveLength(3);
      expect([...orderings].sort((a, b) => a - b)).toEqual(orderings);
      expect(await store.rooms.forwardExtremities("!a:test")).toEqual([{ eventId: "$m3", depth: 4 }]);
    });

    it("stores nothing of a batch when one event fails", async () => {
      const txn = { userId: "@alice:test", deviceId: "D", txnId: "t1" };
      await store.rooms.persistEvent(event("$t1", "!a:test", 5, ["$m3"], { txn }));
      await expect(
        store.rooms.persistEvents([
          event("$ok", "!a:test", 6, ["$t1"]),
          // A client transaction recorded before: the batch fails whole, and says why (the event
          // creator then makes the batch again, looking transactions up).
          event("$dup", "!a:test", 7, ["$ok"], { txn }),
        ]),
      ).rejects.toBeInstanceOf(DuplicateTransactionError);
      expect(await store.rooms.getEvent("$ok")).toBeUndefined();
      expect(await store.rooms.forwardExtremities("!a:test")).toEqual([{ eventId: "$t1", depth: 5 }]);
    });

    it("reads the newest events of many rooms in one call", async () => {
      await store.rooms.persistEvents([
        event("$b1", "!b:test", 2, ["$createB"]),
        event("$b2", "!b:test", 3, ["$b1"]),
      ]);
      const upTo = await store.rooms.maxStreamOrdering();
      const recent = await store.rooms.recentEventsInRooms(["!a:test", "!b:test"], { upTo, perRoom: 2 });
      expect(recent.filter((e) => e.roomId === "!a:test").map((e) => e.eventId)).toEqual(["$m3", "$t1"]);
      expect(recent.filter((e) => e.roomId === "!b:test").map((e) => e.eventId)).toEqual(["$b1", "$b2"]);
      const members = await store.rooms.membershipsInRooms(["!a:test", "!b:test"]);
      expect(members).toEqual([]);
    });
  });
}
