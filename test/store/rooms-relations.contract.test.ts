/** Contract of the relation queries of the room repository, on every store engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "../../src/ports/store/rooms.js";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { storeEngines } from "../support/store-engines.js";

interface Spec {
  id: string;
  room?: string;
  sender?: string;
  type?: string;
  stateKey?: string;
  ts?: number;
  content?: Record<string, unknown>;
  relates?: { to: string; rel: string; key?: string };
  redacts?: string;
}

for (const engine of storeEngines()) {
  describe(`room relations store contract (${engine.name})`, () => {
    let store: Store;
    let depth = 0;
    const positions = new Map<string, number>();

    /** Persists a minimal event (the store does not check PDUs; the event creator does). */
    const put = async (s: Spec) => {
      const room = s.room ?? "!r:test";
      const content: Record<string, unknown> = { ...s.content };
      if (s.relates) {
        content["m.relates_to"] = { event_id: s.relates.to, rel_type: s.relates.rel, key: s.relates.key };
      }
      const pdu = {
        room_id: room,
        sender: s.sender ?? "@alice:test",
        type: s.type ?? "m.room.message",
        content,
        prev_events: [],
        auth_events: [],
        depth: ++depth,
        origin_server_ts: s.ts ?? 1000 + depth,
        ...(s.stateKey !== undefined ? { state_key: s.stateKey } : {}),
      } as unknown as Pdu;
      const event: NewEvent = { eventId: s.id, pdu, isState: s.stateKey !== undefined, prevEventIds: [] };
      if (s.relates) {
        event.relation = { eventId: s.relates.to, relType: s.relates.rel };
        if (s.relates.key !== undefined) event.relation.key = s.relates.key;
      }
      if (s.redacts) event.redacts = s.redacts;
      if (!positions.size)
        event.newRoom = { roomId: room, version: "11", creator: "@alice:test", createdTs: 1 };
      const position = await store.rooms.persistEvent(event);
      positions.set(s.id, position);
      return position;
    };
    const ids = (events: Array<{ eventId: string }>) => events.map((e) => e.eventId);
    const pos = (id: string) => positions.get(id) as number;

    beforeAll(async () => {
      store = await engine.open();
      await put({ id: "$create", type: "m.room.create", stateKey: "" });
      await put({ id: "$other-create", room: "!other:test", type: "m.room.create", stateKey: "" });
    });
    afterAll(() => store.close());

    it("lists children in stream order both ways, filtered, paged with exclusive from and inclusive to", async () => {
      await put({ id: "$p" });
      for (let i = 1; i <= 5; i++) await put({ id: `$c${i}`, relates: { to: "$p", rel: "m.reference" } });
      await put({ id: "$t1", relates: { to: "$p", rel: "m.thread" } });
      await put({ id: "$s1", type: "m.sticker", relates: { to: "$p", rel: "m.reference" } });
      // In another room: not a child of $p.
      await put({ id: "$x1", room: "!other:test", relates: { to: "$p", rel: "m.reference" } });
      const base = { roomId: "!r:test", depth: 1, limit: 50 } as const;
      expect(ids(await store.rooms.relations("$p", { ...base, direction: "b" }))).toEqual([
        "$s1",
        "$t1",
        "$c5",
        "$c4",
        "$c3",
        "$c2",
        "$c1",
      ]);
      const refs = { ...base, relType: "m.reference", eventType: "m.room.message" };
      expect(ids(await store.rooms.relations("$p", { ...refs, direction: "f", limit: 2 }))).toEqual([
        "$c1",
        "$c2",
      ]);
      expect(
        ids(await store.rooms.relations("$p", { ...refs, direction: "f", from: pos("$c2"), to: pos("$c4") })),
      ).toEqual(["$c3", "$c4"]);
      expect(
        ids(await store.rooms.relations("$p", { ...refs, direction: "b", from: pos("$c4"), to: pos("$c2") })),
      ).toEqual(["$c3", "$c2"]);
      expect(
        ids(await store.rooms.relations("$p", { ...refs, direction: "b", from: pos("$c2"), to: pos("$c4") })),
      ).toEqual([]);
      // Only within the visible ranges.
      const visible = [
        { from: 0, to: pos("$c1") },
        { from: pos("$c4"), to: null },
      ];
      expect(ids(await store.rooms.relations("$p", { ...refs, direction: "f", visible }))).toEqual([
        "$c1",
        "$c4",
        "$c5",
      ]);
      expect(await store.rooms.relations("$p", { ...refs, direction: "f", visible: [] })).toEqual([]);
    });

    it("follows children of children down to the given depth, every link matching the filters", async () => {
      await put({ id: "$root" });
      await put({ id: "$d1", relates: { to: "$root", rel: "m.thread" } });
      await put({ id: "$d2", relates: { to: "$d1", rel: "m.reference" } });
      await put({ id: "$d3", relates: { to: "$d2", rel: "m.reference" } });
      await put({ id: "$d4", relates: { to: "$d3", rel: "m.reference" } });
      const q = { roomId: "!r:test", limit: 50, direction: "f" as const };
      expect(ids(await store.rooms.relations("$root", { ...q, depth: 1 }))).toEqual(["$d1"]);
      expect(ids(await store.rooms.relations("$root", { ...q, depth: 3 }))).toEqual(["$d1", "$d2", "$d3"]);
      // $d2.. are references, but their link to $root runs through a thread event.
      expect(await store.rooms.relations("$root", { ...q, depth: 3, relType: "m.reference" })).toEqual([]);
      expect(ids(await store.rooms.relations("$d1", { ...q, depth: 3, relType: "m.reference" }))).toEqual([
        "$d2",
        "$d3",
        "$d4",
      ]);
      // An invisible link hides what hangs below it.
      const visible = [
        { from: 0, to: pos("$d1") },
        { from: pos("$d3"), to: null },
      ];
      expect(ids(await store.rooms.relations("$root", { ...q, depth: 3, visible }))).toEqual(["$d1"]);
    });

    it("forgets a child once it is redacted", async () => {
      await put({ id: "$q" });
      await put({ id: "$q1", relates: { to: "$q", rel: "m.reference" } });
      await put({ id: "$q2", relates: { to: "$q", rel: "m.reference" } });
      await put({
        id: "$q-redaction",
        type: "m.room.redaction",
        content: { redacts: "$q1" },
        redacts: "$q1",
      });
      expect(
        ids(await store.rooms.relations("$q", { roomId: "!r:test", depth: 1, limit: 9, direction: "b" })),
      ).toEqual(["$q2"]);
      expect(await store.rooms.references(["$q"], 10)).toEqual([{ parentId: "$q", eventId: "$q2" }]);
    });

    it("picks the latest valid edits, by origin_server_ts then event_id, for many originals at once", async () => {
      await put({ id: "$orig", ts: 10 });
      await put({ id: "$e-a", ts: 50, relates: { to: "$orig", rel: "m.replace" } });
      // Same timestamp: the lexicographically larger event ID is more recent, whatever the stream order.
      await put({ id: "$e-c", ts: 60, relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-b", ts: 60, relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-old", ts: 20, relates: { to: "$orig", rel: "m.replace" } });
      // Not valid: another sender, another type, a state event, redacted.
      await put({ id: "$e-bob", ts: 99, sender: "@bob:test", relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-type", ts: 99, type: "m.sticker", relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-state", ts: 99, stateKey: "x", relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-redacted", ts: 99, relates: { to: "$orig", rel: "m.replace" } });
      await put({ id: "$e-redaction", type: "m.room.redaction", redacts: "$e-redacted" });
      // An edit of an edit counts for nothing.
      await put({ id: "$e-of-e", ts: 99, relates: { to: "$e-a", rel: "m.replace" } });
      await put({ id: "$orig2", ts: 10 });
      await put({ id: "$f-1", ts: 30, relates: { to: "$orig2", rel: "m.replace" } });

      const edits = await store.rooms.latestEdits(["$orig", "$orig2", "$e-a", "$nothing"], 2);
      const byParent = (parent: string) =>
        ids(edits.filter((e) => (e.pdu.content["m.relates_to"] as { event_id: string }).event_id === parent));
      expect(byParent("$orig")).toEqual(["$e-c", "$e-b"]);
      expect(byParent("$orig2")).toEqual(["$f-1"]);
      expect(byParent("$e-a")).toEqual([]);
      const visible = [{ from: 0, to: pos("$e-a") }];
      expect(ids(await store.rooms.latestEdits(["$orig"], 5, visible))).toEqual(["$e-a"]);
    });

    it("summarises threads: count, latest event and whether a user took part", async () => {
      await put({ id: "$th" });
      await put({ id: "$th1", sender: "@bob:test", relates: { to: "$th", rel: "m.thread" } });
      await put({ id: "$th2", sender: "@carol:test", relates: { to: "$th", rel: "m.thread" } });
      await put({ id: "$th3", sender: "@bob:test", relates: { to: "$th", rel: "m.thread" } });
      await put({ id: "$th-redaction", type: "m.room.redaction", redacts: "$th3" });
      await put({ id: "$plain" });
      const [summary, ...rest] = await store.rooms.threadSummaries(["$th", "$plain"], "@carol:test");
      expect(rest).toEqual([]);
      expect(summary).toEqual({ rootId: "$th", count: 2, latestEventId: "$th2", participated: true });
      const forDave = await store.rooms.threadSummaries(["$th"], "@dave:test", [
        { from: 0, to: pos("$th1") },
      ]);
      expect(forDave).toEqual([{ rootId: "$th", count: 1, latestEventId: "$th1", participated: false }]);
    });

    it("finds an unredacted annotation by sender, type and key", async () => {
      await put({ id: "$target" });
      await put({
        id: "$r1",
        type: "m.reaction",
        relates: { to: "$target", rel: "m.annotation", key: "👍" },
      });
      expect(await store.rooms.findAnnotation("$target", "@alice:test", "m.reaction", "👍")).toBe("$r1");
      expect(await store.rooms.findAnnotation("$target", "@bob:test", "m.reaction", "👍")).toBeUndefined();
      expect(await store.rooms.findAnnotation("$target", "@alice:test", "m.reaction", "👎")).toBeUndefined();
      expect(await store.rooms.findAnnotation("$target", "@alice:test", "m.vote", "👍")).toBeUndefined();
      await put({ id: "$r1-redaction", type: "m.room.redaction", redacts: "$r1" });
      expect(await store.rooms.findAnnotation("$target", "@alice:test", "m.reaction", "👍")).toBeUndefined();
    });

    it("lists a room's threads by latest activity, before a position, by participation", async () => {
      const room = "!threads:test";
      await put({ id: "$tc", room, type: "m.room.create", stateKey: "" });
      await put({ id: "$A", room });
      await put({ id: "$B", room, sender: "@bob:test" });
      await put({ id: "$C", room });
      await put({ id: "$A1", room, relates: { to: "$A", rel: "m.thread" } });
      await put({ id: "$B1", room, sender: "@bob:test", relates: { to: "$B", rel: "m.thread" } });
      await put({ id: "$C1", room, relates: { to: "$C", rel: "m.thread" } });
      await put({ id: "$A2", room, sender: "@carol:test", relates: { to: "$A", rel: "m.thread" } });
      const q = { userId: "@alice:test", participatedOnly: false, limit: 10 };
      expect(await store.rooms.threads(room, q)).toEqual([
        { rootId: "$A", latest: pos("$A2") },
        { rootId: "$C", latest: pos("$C1") },
        { rootId: "$B", latest: pos("$B1") },
      ]);
      expect(
        (await store.rooms.threads(room, { ...q, before: pos("$A2"), limit: 1 })).map((t) => t.rootId),
      ).toEqual(["$C"]);
      const participated = async (userId: string) =>
        (await store.rooms.threads(room, { ...q, userId, participatedOnly: true })).map((t) => t.rootId);
      expect(await participated("@carol:test")).toEqual(["$A"]);
      expect(await participated("@bob:test")).toEqual(["$B"]);
      expect(await participated("@alice:test")).toEqual(["$A", "$C"]);
      // A thread whose root the user may not see is not listed; activity they may not see does not count.
      const visible = [{ from: pos("$B"), to: pos("$C1") }];
      expect(await store.rooms.threads(room, { ...q, visible })).toEqual([
        { rootId: "$C", latest: pos("$C1") },
        { rootId: "$B", latest: pos("$B1") },
      ]);
    });
  });
}
