import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import type { JsonObject } from "../../src/protocol/json.js";
import { storeEngines } from "../support/store-engines.js";

for (const engine of storeEngines()) {
  describe(`presence store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());

    const base = { statusMsg: null, lastActiveTs: 10, lastSyncTs: 20, currentlyActive: true };

    it("replaces a user's presence, each write a new position on the presence stream", async () => {
      const start = await store.streams.current("presence");
      const p1 = await store.presence.put({ userId: "@a:test", state: "online", ...base });
      const p2 = await store.presence.put({
        userId: "@a:test",
        state: "unavailable",
        statusMsg: "away",
        lastActiveTs: 11,
        lastSyncTs: 21,
        currentlyActive: false,
      });
      expect(p1).toBe(start + 1);
      expect(p2).toBe(start + 2);
      expect(await store.streams.current("presence")).toBe(p2);
      expect(await store.presence.get("@a:test")).toEqual({
        userId: "@a:test",
        state: "unavailable",
        statusMsg: "away",
        lastActiveTs: 11,
        lastSyncTs: 21,
        currentlyActive: false,
        streamId: p2,
      });
      expect(await store.presence.get("@nobody:test")).toBeUndefined();
    });

    it("lists changes after a position, for given users or everyone, and who is not offline", async () => {
      const since = await store.streams.current("presence");
      const pb = await store.presence.put({ userId: "@b:test", state: "online", ...base });
      const pc = await store.presence.put({
        userId: "@c:test",
        state: "offline",
        ...base,
        currentlyActive: false,
      });
      expect((await store.presence.changedSince(since)).map((p) => [p.userId, p.streamId])).toEqual([
        ["@b:test", pb],
        ["@c:test", pc],
      ]);
      expect((await store.presence.changedSince(0, ["@c:test", "@a:test"])).map((p) => p.userId)).toEqual([
        "@a:test",
        "@c:test",
      ]);
      expect(await store.presence.changedSince(0, [])).toEqual([]);
      expect((await store.presence.notOffline()).map((p) => p.userId).sort()).toEqual(["@a:test", "@b:test"]);
    });
  });

  describe(`to-device store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      for (const [userId, deviceId, hash] of [
        ["@bob:test", "B1", "t1"],
        ["@bob:test", "B2", "t2"],
        ["@carol:test", "C1", "t3"],
      ] as const) {
        await store.devices.createSession({
          userId,
          deviceId,
          displayName: null,
          accessTokenHash: hash,
          refreshTokenHash: null,
          accessExpiresTs: null,
          nowTs: 1,
        });
      }
    });
    afterAll(() => store.close());

    const send = (txnId: string, messages: Record<string, Record<string, JsonObject>>) =>
      store.toDevice.send({
        sender: "@alice:test",
        senderDeviceId: "A1",
        txnId,
        type: "m.test",
        messages,
        nowTs: 1,
      });

    it("delivers to existing devices, expanding *, once per transaction", async () => {
      const first = await send("x1", {
        "@bob:test": { "*": { n: 1 }, B2: { n: 2 } },
        "@carol:test": { NOPE: {} },
      });
      expect(first).toEqual({ position: await store.streams.current("to_device"), userIds: ["@bob:test"] });
      expect(await send("x1", { "@bob:test": { B1: { n: 3 } } })).toBeUndefined();
      const position = first?.position as number;
      expect(await store.toDevice.pending("@bob:test", "B1", 0, position, 10)).toEqual([
        { sender: "@alice:test", type: "m.test", content: { n: 1 }, streamId: position },
      ]);
      expect(
        (await store.toDevice.pending("@bob:test", "B2", 0, position, 10)).map((m) => m.content),
      ).toEqual([{ n: 2 }]);
      expect(await store.toDevice.pending("@carol:test", "C1", 0, position, 10)).toEqual([]);
    });

    it("pages in stream order within (after, upTo], and deletes only what was acknowledged", async () => {
      const positions: number[] = [];
      for (let n = 0; n < 5; n++)
        positions.push((await send(`p${n}`, { "@carol:test": { C1: { n } } }))?.position as number);
      const last = positions[4] as number;
      const page = await store.toDevice.pending("@carol:test", "C1", 0, last, 3);
      expect(page.map((m) => m.content.n)).toEqual([0, 1, 2]);
      expect(
        (
          await store.toDevice.pending(
            "@carol:test",
            "C1",
            positions[2] as number,
            positions[3] as number,
            10,
          )
        ).map((m) => m.content.n),
      ).toEqual([3]);
      await store.toDevice.acknowledge("@carol:test", "C1", positions[1] as number);
      expect(
        (await store.toDevice.pending("@carol:test", "C1", 0, last, 10)).map((m) => m.content.n),
      ).toEqual([2, 3, 4]);
    });

    it("deleting a device deletes its inbox", async () => {
      await send("d1", { "@bob:test": { B1: { n: 9 } } });
      await store.devices.delete("@bob:test", ["B1"]);
      expect(await store.toDevice.pending("@bob:test", "B1", 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      expect(await store.toDevice.pending("@bob:test", "B2", 0, Number.MAX_SAFE_INTEGER, 10)).not.toEqual([]);
      await store.devices.deleteAllExcept("@bob:test");
      expect(await store.toDevice.pending("@bob:test", "B2", 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    });
  });
}
