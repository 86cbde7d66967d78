import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANCHOR_NOT_FOUND, type PushActionRecord, type Pusher } from "../../src/ports/store/push.js";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { storeEngines } from "../support/store-engines.js";

const ROOM = "!push:test";

for (const engine of storeEngines()) {
  describe(`push store contract (${engine.name})`, () => {
    let store: Store;
    let depth = 1;
    beforeAll(async () => {
      store = await engine.open();
      await persist("$create", "m.room.create", { room_version: "10", creator: "@alice:test" }, "");
    });
    afterAll(() => store.close());

    async function persist(
      eventId: string,
      type: string,
      content: object,
      stateKey?: string,
      pushActions?: PushActionRecord[],
    ) {
      const pdu = {
        room_id: ROOM,
        sender: "@alice:test",
        type,
        content,
        prev_events: [],
        auth_events: [],
        depth: depth++,
        origin_server_ts: 1000,
        hashes: { sha256: "x" },
        signatures: {},
        ...(stateKey === undefined ? {} : { state_key: stateKey }),
      } as unknown as Pdu;
      return store.rooms.persistEvent({
        eventId,
        pdu,
        isState: stateKey !== undefined,
        prevEventIds: [],
        ...(pushActions ? { pushActions } : {}),
        ...(type === "m.room.create"
          ? { newRoom: { roomId: ROOM, version: "10", creator: "@alice:test", createdTs: 1000 } }
          : {}),
      });
    }

    const ids = async (userId: string, kind = "override" as const) =>
      (await store.pushRules.get(userId)).rules.filter((r) => r.kind === kind).map((r) => r.rule_id);
    const rule = (id: string) => ({
      kind: "override" as const,
      rule_id: id,
      enabled: true,
      actions: [],
      conditions: [],
    });

    it("creates rules most important first, places them before/after others and keeps the place on update", async () => {
      const u = "@order:test";
      const p1 = await store.pushRules.put(u, rule("a"), {});
      const p2 = await store.pushRules.put(u, rule("b"), {});
      expect(p2).toBeGreaterThan(p1 as number);
      expect(await ids(u)).toEqual(["b", "a"]);
      await store.pushRules.put(u, rule("c"), { after: "a" });
      expect(await ids(u)).toEqual(["b", "a", "c"]);
      await store.pushRules.put(u, rule("d"), { before: "a", after: "c" });
      expect(await ids(u)).toEqual(["b", "d", "a", "c"]);
      await store.pushRules.put(u, { ...rule("a"), actions: ["notify"] }, {});
      expect(await ids(u)).toEqual(["b", "d", "a", "c"]);
      await store.pushRules.put(u, rule("b"), { after: "c" });
      expect(await ids(u)).toEqual(["d", "a", "c", "b"]);
      expect(await store.pushRules.put(u, rule("e"), { before: "nope" })).toBe(ANCHOR_NOT_FOUND);
      expect(await store.pushRules.put(u, rule("e"), { before: "e" })).toBe(ANCHOR_NOT_FOUND);
      expect(await ids(u)).toEqual(["d", "a", "c", "b"]);
      expect((await store.pushRules.get(u)).rules.find((r) => r.rule_id === "a")).toEqual({
        kind: "override",
        rule_id: "a",
        enabled: true,
        actions: ["notify"],
        conditions: [],
      });
    });

    it("keeps kinds apart, stores patterns, deletes, and moves the stream on every change", async () => {
      const u = "@kinds:test";
      expect(await store.pushRules.lastChange(u)).toBe(0);
      await store.pushRules.put(
        u,
        { kind: "content", rule_id: "x", enabled: true, actions: ["notify"], pattern: "cake" },
        {},
      );
      await store.pushRules.put(u, rule("x"), {});
      const rules = (await store.pushRules.get(u)).rules;
      expect(rules).toHaveLength(2);
      expect(rules.find((r) => r.kind === "content")?.pattern).toBe("cake");
      const before = await store.pushRules.lastChange(u);
      expect(await store.streams.current("push_rules")).toBe(before);
      expect(await store.pushRules.delete(u, "content", "x")).toBeGreaterThan(before);
      expect(await store.pushRules.delete(u, "content", "x")).toBeUndefined();
      expect(await ids(u)).toEqual(["x"]);
    });

    it("updates enabled and actions of own rules; merges changes of default rules", async () => {
      const u = "@change:test";
      await store.pushRules.put(u, rule("mine"), {});
      expect(await store.pushRules.update(u, "override", "mine", { enabled: false })).toBeGreaterThan(0);
      expect(await store.pushRules.update(u, "override", "other", { enabled: false })).toBeUndefined();
      await store.pushRules.put(u, { ...rule("mine"), actions: ["notify"] }, {});
      const mine = (await store.pushRules.get(u)).rules[0];
      expect(mine?.enabled).toBe(false); // an update keeps whether the rule is enabled
      expect(mine?.actions).toEqual(["notify"]);

      await store.pushRules.changeDefault(u, ".m.rule.message", { enabled: false });
      await store.pushRules.changeDefault(u, ".m.rule.message", { actions: [] });
      await store.pushRules.changeDefault(u, ".m.rule.master", { enabled: true });
      const stored = await store.pushRules.get(u);
      expect(stored.defaults.get(".m.rule.message")).toEqual({ enabled: false, actions: [] });
      expect(stored.defaults.get(".m.rule.master")).toEqual({ enabled: true });
      const many = await store.pushRules.getMany([u, "@nobody:test"]);
      expect(many.get("@nobody:test")).toEqual({ rules: [], defaults: new Map() });
      expect(many.get(u)?.rules).toHaveLength(1);
    });

    const pusher = (userId: string, pushkey: string, extra: Partial<Pusher> = {}): Pusher => ({
      userId,
      kind: "http",
      appId: "org.example.app",
      pushkey,
      appDisplayName: "App",
      deviceDisplayName: "Phone",
      lang: "en",
      data: { url: "https://push.example.org/_matrix/push/v1/notify" },
      createdTs: 5,
      ...extra,
    });

    it("sets, replaces, lists and deletes pushers; without append a pushkey moves between users", async () => {
      await store.pushers.set(pusher("@p1:test", "key1", { profileTag: "tag" }), false);
      await store.pushers.set(pusher("@p1:test", "key1", { lang: "de" }), false);
      expect(await store.pushers.list("@p1:test")).toEqual([pusher("@p1:test", "key1", { lang: "de" })]);
      await store.pushers.set(pusher("@p2:test", "key1"), true);
      expect(await store.pushers.list("@p1:test")).toHaveLength(1);
      await store.pushers.set(pusher("@p3:test", "key1"), false);
      expect(await store.pushers.list("@p1:test")).toEqual([]);
      expect(await store.pushers.list("@p2:test")).toEqual([]);
      expect((await store.pushers.forUsers(["@p3:test", "@p1:test"])).map((p) => p.userId)).toEqual([
        "@p3:test",
      ]);
      expect(await store.pushers.delete("@p3:test", "org.example.app", "key1")).toBe(true);
      expect(await store.pushers.delete("@p3:test", "org.example.app", "key1")).toBe(false);
    });

    it("counts notifications per thread between positions, keeps one row per (user, event), lists newest first", async () => {
      const u = "@reader:test";
      const record = (eventId: string, threadId: string, highlight = false): PushActionRecord => ({
        userId: u,
        roomId: ROOM,
        eventId,
        threadId,
        actions: highlight ? ["notify", { set_tweak: "highlight" }] : ["notify"],
        highlight,
        ts: 7,
      });
      const s1 = await persist("$m1", "m.room.message", { body: "1" }, undefined, [record("$m1", "main")]);
      const s2 = await persist("$m2", "m.room.message", { body: "2" }, undefined, [
        record("$m2", "main", true),
      ]);
      const s3 = await persist("$t1", "m.room.message", { body: "t" }, undefined, [
        record("$t1", "$m1"),
        record("$t1", "$m1"),
      ]);

      const all = await store.pushActions.countsByThread(u, ROOM, { after: 0, upTo: s3 });
      expect(all).toEqual(
        new Map([
          ["main", { notificationCount: 2, highlightCount: 1 }],
          ["$m1", { notificationCount: 1, highlightCount: 0 }],
        ]),
      );
      expect(await store.pushActions.countsByThread(u, ROOM, { after: s1, upTo: s2 })).toEqual(
        new Map([["main", { notificationCount: 1, highlightCount: 1 }]]),
      );
      expect(await store.pushActions.countsByThread(u, ROOM, { after: 0, upTo: s3 }, "$m1")).toEqual(
        new Map([["$m1", { notificationCount: 1, highlightCount: 0 }]]),
      );

      const listed = await store.pushActions.list(u, { limit: 2, onlyHighlight: false });
      expect(listed.map((n) => n.eventId)).toEqual(["$t1", "$m2"]);
      expect(listed[1]).toMatchObject({
        roomId: ROOM,
        threadId: "main",
        highlight: true,
        streamOrdering: s2,
        ts: 7,
      });
      expect(
        (await store.pushActions.list(u, { before: s2, limit: 5, onlyHighlight: false })).map(
          (n) => n.eventId,
        ),
      ).toEqual(["$m1"]);
      expect(
        (await store.pushActions.list(u, { limit: 5, onlyHighlight: true })).map((n) => n.eventId),
      ).toEqual(["$m2"]);
    });

    it("reads the later of m.read and m.read.private per thread as stream positions", async () => {
      const u = "@receipts:test";
      const a = await persist("$r1", "m.room.message", { body: "a" });
      const b = await persist("$r2", "m.room.message", { body: "b" });
      await store.receipts.put({ roomId: ROOM, userId: u, receiptType: "m.read", eventId: "$r2", ts: 1 });
      await store.receipts.put({
        roomId: ROOM,
        userId: u,
        receiptType: "m.read.private",
        eventId: "$r1",
        ts: 1,
      });
      await store.receipts.put({
        roomId: ROOM,
        userId: u,
        receiptType: "m.read",
        eventId: "$r1",
        ts: 1,
        threadId: "main",
      });
      expect(await store.pushActions.readPositions(u, ROOM)).toEqual(
        new Map([
          ["", b],
          ["main", a],
        ]),
      );
      expect(await store.pushActions.readPositions("@none:test", ROOM)).toEqual(new Map());
    });
  });
}
