import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import { storeEngines } from "../support/store-engines.js";

for (const engine of storeEngines()) {
  describe(`account store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());

    const newUser = (localpart: string) => ({
      userId: `@${localpart}:test`,
      localpart,
      passwordHash: "scrypt$x",
      isAdmin: false,
      isGuest: false,
      createdTs: 1000,
      displayname: localpart,
    });

    it("creates a user once; a second create of the same ID reports the conflict", async () => {
      expect(await store.users.create(newUser("alice"))).toBe(true);
      expect(await store.users.create(newUser("alice"))).toBe(false);
      const alice = await store.users.get("@alice:test");
      expect(alice).toMatchObject({
        localpart: "alice",
        isAdmin: false,
        deactivated: false,
        displayname: "alice",
      });
      expect(await store.users.get("@nobody:test")).toBeUndefined();
    });

    it("updates profile fields independently and finds users by ID or display name", async () => {
      await store.users.create(newUser("bob"));
      await store.users.setProfile("@bob:test", { displayname: "Bob_100%" });
      await store.users.setProfile("@bob:test", { avatarUrl: "mxc://test/abc" });
      expect(await store.users.get("@bob:test")).toMatchObject({
        displayname: "Bob_100%",
        avatarUrl: "mxc://test/abc",
      });
      expect((await store.users.search("bob_100%", 10)).map((u) => u.userId)).toEqual(["@bob:test"]);
      // LIKE wildcards in the term are literal: "_" must not match any character.
      expect(await store.users.search("b_b", 10)).toEqual([]);
      expect((await store.users.search("ALI", 10)).map((u) => u.userId)).toEqual(["@alice:test"]);
    });

    it("binds access tokens to devices and deletes them with the device", async () => {
      await store.devices.createSession({
        userId: "@alice:test",
        deviceId: "DEV1",
        displayName: "Phone",
        accessTokenHash: "h1",
        refreshTokenHash: null,
        accessExpiresTs: null,
        nowTs: 5,
      });
      await store.devices.createSession({
        userId: "@alice:test",
        deviceId: "DEV2",
        displayName: null,
        accessTokenHash: "h2",
        refreshTokenHash: null,
        accessExpiresTs: null,
        nowTs: 6,
      });
      expect(await store.devices.ownerOfAccessToken("h1")).toEqual({
        userId: "@alice:test",
        deviceId: "DEV1",
        expiresTs: null,
      });
      expect((await store.devices.list("@alice:test")).map((d) => [d.deviceId, d.displayName])).toEqual([
        ["DEV1", "Phone"],
        ["DEV2", null],
      ]);
      expect(await store.devices.setDisplayName("@alice:test", "DEV2", "Laptop")).toBe(true);
      expect(await store.devices.setDisplayName("@alice:test", "NOPE", "x")).toBe(false);
      expect((await store.devices.get("@alice:test", "DEV2"))?.displayName).toBe("Laptop");
      await store.devices.delete("@alice:test", ["DEV1"]);
      expect(await store.devices.ownerOfAccessToken("h1")).toBeUndefined();
      expect(await store.devices.ownerOfAccessToken("h2")).toBeDefined();
      await store.devices.deleteAllExcept("@alice:test");
      expect(await store.devices.list("@alice:test")).toEqual([]);
    });

    it("rotates a refresh token exactly once", async () => {
      await store.devices.createSession({
        userId: "@bob:test",
        deviceId: "R1",
        displayName: null,
        accessTokenHash: "a1",
        refreshTokenHash: "r1",
        accessExpiresTs: 10_000,
        nowTs: 1,
      });
      const next = { accessTokenHash: "a2", refreshTokenHash: "r2", accessExpiresTs: 20_000 };
      const [first, second] = await Promise.all([
        store.devices.rotateRefreshToken("r1", next),
        store.devices.rotateRefreshToken("r1", { ...next, accessTokenHash: "a3", refreshTokenHash: "r3" }),
      ]);
      expect([first, second].filter(Boolean)).toEqual([{ userId: "@bob:test", deviceId: "R1" }]);
      expect(await store.devices.ownerOfAccessToken("a1")).toBeUndefined();
      expect(
        (await store.devices.ownerOfAccessToken("a2")) ?? (await store.devices.ownerOfAccessToken("a3")),
      ).toMatchObject({ deviceId: "R1", expiresTs: 20_000 });
    });

    it("deactivation removes password, devices and tokens", async () => {
      await store.users.create(newUser("carol"));
      await store.devices.createSession({
        userId: "@carol:test",
        deviceId: "C1",
        displayName: null,
        accessTokenHash: "c1",
        refreshTokenHash: "cr1",
        accessExpiresTs: null,
        nowTs: 1,
      });
      await store.users.deactivate("@carol:test");
      expect(await store.users.get("@carol:test")).toMatchObject({ deactivated: true, passwordHash: null });
      expect(await store.devices.ownerOfAccessToken("c1")).toBeUndefined();
      expect(await store.devices.list("@carol:test")).toEqual([]);
      expect(await store.users.search("carol", 10)).toEqual([]);
    });

    it("keeps account data per room with increasing stream positions", async () => {
      const p1 = await store.accountData.put("@alice:test", "", "m.direct", { a: 1 });
      const p2 = await store.accountData.put("@alice:test", "!r:test", "m.tag", { tags: {} });
      const p3 = await store.accountData.put("@alice:test", "", "m.direct", { a: 2 });
      expect(p2).toBeGreaterThan(p1);
      expect(p3).toBeGreaterThan(p2);
      expect(await store.accountData.get("@alice:test", "", "m.direct")).toEqual({ a: 2 });
      expect(await store.accountData.get("@alice:test", "", "m.tag")).toBeUndefined();
      const changed = await store.accountData.changedSince("@alice:test", p1);
      expect(changed.map((c) => [c.roomId, c.type, c.streamId])).toEqual([
        ["!r:test", "m.tag", p2],
        ["", "m.direct", p3],
      ]);
    });

    it("numbers filters per user", async () => {
      const f0 = await store.filters.create("@alice:test", { room: { timeline: { limit: 5 } } });
      const f1 = await store.filters.create("@alice:test", { presence: { types: [] } });
      const g0 = await store.filters.create("@bob:test", {});
      expect([f0, f1, g0]).toEqual(["0", "1", "0"]);
      expect(await store.filters.get("@alice:test", f0)).toEqual({ room: { timeline: { limit: 5 } } });
      expect(await store.filters.get("@alice:test", "7")).toBeUndefined();
      expect(await store.filters.get("@alice:test", "abc")).toBeUndefined();
    });

    it("consumes a registration token only while it has uses left and is not expired", async () => {
      const base = { pending: 0, completed: 0, createdTs: 1 };
      expect(
        await store.registrationTokens.create({ ...base, token: "two", usesAllowed: 2, expiryTs: null }),
      ).toBe(true);
      expect(
        await store.registrationTokens.create({ ...base, token: "two", usesAllowed: 2, expiryTs: null }),
      ).toBe(false);
      await store.registrationTokens.create({ ...base, token: "old", usesAllowed: null, expiryTs: 100 });
      const uses = await Promise.all([1, 2, 3].map(() => store.registrationTokens.consume("two", 50)));
      expect(uses.filter(Boolean)).toHaveLength(2);
      expect((await store.registrationTokens.get("two"))?.completed).toBe(2);
      expect(await store.registrationTokens.consume("old", 99)).toBe(true);
      expect(await store.registrationTokens.consume("old", 100)).toBe(false);
      expect(await store.registrationTokens.consume("missing", 1)).toBe(false);
      expect((await store.registrationTokens.list()).map((t) => t.token).sort()).toEqual(["old", "two"]);
      expect(await store.registrationTokens.delete("old")).toBe(true);
      expect(await store.registrationTokens.get("old")).toBeUndefined();
    });

    it("keeps the first server signing key stored", async () => {
      expect(await store.serverKeys.current()).toBeUndefined();
      const a = await store.serverKeys.storeIfAbsent({ keyId: "ed25519:a", seed: "AAAA", createdTs: 1 });
      const b = await store.serverKeys.storeIfAbsent({ keyId: "ed25519:b", seed: "BBBB", createdTs: 2 });
      expect(a.keyId).toBe("ed25519:a");
      expect(b.keyId).toBe("ed25519:a");
    });

    it("expires short-lived values and stores put-if-absent once", async () => {
      await store.keyValue.put("uia", "s1", { stages: ["m.login.dummy"] }, 100);
      expect(await store.keyValue.get("uia", "s1", 50)).toEqual({ stages: ["m.login.dummy"] });
      expect(await store.keyValue.get("uia", "s1", 100)).toBeUndefined();
      expect(await store.keyValue.putIfAbsent("nonce", "n", 1, 200, 10)).toBe(true);
      expect(await store.keyValue.putIfAbsent("nonce", "n", 2, 200, 10)).toBe(false);
      expect(await store.keyValue.putIfAbsent("nonce", "n", 3, 300, 250)).toBe(true);
      expect(await store.keyValue.get("nonce", "n", 260)).toBe(3);
      await store.keyValue.delete("nonce", "n");
      expect(await store.keyValue.get("nonce", "n", 260)).toBeUndefined();
    });
  });
}

it("runs the contract on PostgreSQL whenever CI requires it", () => {
  if (process.env.LATTICE_REQUIRE_POSTGRES === "1") {
    expect(storeEngines().map((e) => e.name)).toContain("postgres");
  }
});
