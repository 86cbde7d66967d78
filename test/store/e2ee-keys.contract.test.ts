/**
 * Contract of the end-to-end encryption repositories (keys, device lists, dehydrated devices, key
 * backup) on every store engine — including the one-time key claim under 100 concurrent claims.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackedUpKey } from "../../src/ports/store/key-backup.js";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";
import { preferKey } from "../../src/services/e2ee/key-backup.js";
import { storeEngines } from "../support/store-engines.js";

const otk = (i: number) => ({
  algorithm: "signed_curve25519",
  keyId: `AAAA${String(i).padStart(4, "0")}`,
  json: JSON.stringify({ key: `key${i}`, signatures: {} }),
});

for (const engine of storeEngines()) {
  describe(`e2ee key store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());

    let tokens = 0;
    async function device(userId: string, deviceId: string) {
      await store.devices.createSession({
        userId,
        deviceId,
        displayName: `${deviceId} name`,
        accessTokenHash: `hash-${tokens++}`,
        refreshTokenHash: null,
        accessExpiresTs: null,
        nowTs: 1,
      });
    }

    it("stores device keys, records a device list change, and answers queries for existing devices", async () => {
      await device("@a:test", "DEV1");
      await device("@a:test", "DEV2");
      const before = await store.streams.current("device_lists");
      const p1 = await store.e2eeKeys.setDeviceKeys("@a:test", "DEV1", { device_id: "DEV1", n: 1 });
      const p2 = await store.e2eeKeys.setDeviceKeys("@a:test", "DEV2", { device_id: "DEV2", n: 2 });
      await store.e2eeKeys.setDeviceKeys("@a:test", "GONE", { device_id: "GONE" });
      expect(p1).toBeGreaterThan(before);
      expect(p2).toBeGreaterThan(p1);
      expect(await store.e2eeKeys.getDeviceKeys("@a:test", "DEV1")).toEqual({ device_id: "DEV1", n: 1 });
      const all = await store.e2eeKeys.queryDeviceKeys(new Map([["@a:test", []]]));
      // GONE has keys but no device row: invisible.
      expect(all.map((d) => [d.deviceId, d.displayName])).toEqual([
        ["DEV1", "DEV1 name"],
        ["DEV2", "DEV2 name"],
      ]);
      const one = await store.e2eeKeys.queryDeviceKeys(new Map([["@a:test", ["DEV2"]]]));
      expect(one.map((d) => d.keys)).toEqual([{ device_id: "DEV2", n: 2 }]);
      expect(await store.e2eeKeys.deviceListChanges(before, p2)).toEqual(["@a:test"]);
      expect(await store.e2eeKeys.deviceListChanges(p2, p2)).toEqual([]);
    });

    it("adds one-time keys idempotently and refuses a changed key without adding any", async () => {
      await device("@b:test", "B1");
      expect(await store.e2eeKeys.addOneTimeKeys("@b:test", "B1", [otk(1), otk(2)])).toEqual([]);
      expect(await store.e2eeKeys.addOneTimeKeys("@b:test", "B1", [otk(1), otk(3)])).toEqual([]);
      const changed = { ...otk(2), json: '{"key":"other"}' };
      expect(await store.e2eeKeys.addOneTimeKeys("@b:test", "B1", [otk(4), changed])).toEqual([
        "signed_curve25519:AAAA0002",
      ]);
      expect(await store.e2eeKeys.oneTimeKeyCounts("@b:test", "B1")).toEqual({ signed_curve25519: 3 });
    });

    it("hands out a fallback key when one-time keys run out, marks it used, and re-arms on a new key", async () => {
      await device("@c:test", "C1");
      await store.e2eeKeys.addOneTimeKeys("@c:test", "C1", [otk(1)]);
      const fb = { algorithm: "signed_curve25519", keyId: "FB1", json: '{"key":"fb","fallback":true}' };
      await store.e2eeKeys.setFallbackKeys("@c:test", "C1", [fb]);
      expect(await store.e2eeKeys.unusedFallbackKeyTypes("@c:test", "C1")).toEqual(["signed_curve25519"]);
      expect((await store.e2eeKeys.claimKey("@c:test", "C1", "signed_curve25519"))?.fallback).toBe(false);
      const claimed = await store.e2eeKeys.claimKey("@c:test", "C1", "signed_curve25519");
      expect(claimed).toEqual({ ...fb, fallback: true });
      expect(await store.e2eeKeys.unusedFallbackKeyTypes("@c:test", "C1")).toEqual([]);
      // The same key again stays used; a new one is unused.
      await store.e2eeKeys.setFallbackKeys("@c:test", "C1", [fb]);
      expect(await store.e2eeKeys.unusedFallbackKeyTypes("@c:test", "C1")).toEqual([]);
      await store.e2eeKeys.setFallbackKeys("@c:test", "C1", [{ ...fb, keyId: "FB2" }]);
      expect(await store.e2eeKeys.unusedFallbackKeyTypes("@c:test", "C1")).toEqual(["signed_curve25519"]);
      expect(await store.e2eeKeys.claimKey("@c:test", "C1", "curve25519")).toBeUndefined();
    });

    it("gives 100 concurrent claims on 50 keys exactly the 50 keys once each, then the fallback key", async () => {
      await device("@d:test", "D1");
      await store.e2eeKeys.addOneTimeKeys(
        "@d:test",
        "D1",
        Array.from({ length: 50 }, (_, i) => otk(i)),
      );
      const fb = { algorithm: "signed_curve25519", keyId: "FALLBACK", json: '{"key":"fb"}' };
      await store.e2eeKeys.setFallbackKeys("@d:test", "D1", [fb]);
      const claims = await Promise.all(
        Array.from({ length: 100 }, () => store.e2eeKeys.claimKey("@d:test", "D1", "signed_curve25519")),
      );
      const oneTime = claims.filter((c) => c && !c.fallback).map((c) => c?.keyId);
      const fallback = claims.filter((c) => c?.fallback);
      expect(oneTime).toHaveLength(50);
      expect(new Set(oneTime).size).toBe(50);
      expect(fallback).toHaveLength(50);
      expect(fallback.every((c) => c?.keyId === "FALLBACK")).toBe(true);
      expect(await store.e2eeKeys.oneTimeKeyCounts("@d:test", "D1")).toEqual({});
    });

    it("stores cross-signing keys and signatures, and deletes a device's keys and signatures", async () => {
      await device("@e:test", "E1");
      await store.e2eeKeys.setDeviceKeys("@e:test", "E1", { device_id: "E1" });
      await store.e2eeKeys.addOneTimeKeys("@e:test", "E1", [otk(1)]);
      await store.e2eeKeys.setCrossSigningKeys("@e:test", [
        { userId: "@e:test", type: "master", publicKey: "MPK", key: { usage: ["master"] } },
        { userId: "@e:test", type: "self_signing", publicKey: "SPK", key: { usage: ["self_signing"] } },
      ]);
      const keys = await store.e2eeKeys.crossSigningKeys(["@e:test", "@nobody:test"]);
      expect(keys.map((k) => [k.type, k.publicKey]).sort()).toEqual([
        ["master", "MPK"],
        ["self_signing", "SPK"],
      ]);
      const sig = {
        targetUserId: "@e:test",
        targetKeyId: "E1",
        signerUserId: "@e:test",
        signerKeyId: "ed25519:SPK",
        signature: "s1",
      };
      await store.e2eeKeys.addSignatures([sig], ["@e:test"]);
      await store.e2eeKeys.addSignatures([{ ...sig, signature: "s2" }], ["@e:test"]);
      await store.e2eeKeys.addSignatures(
        [{ ...sig, targetKeyId: "MPK", signerKeyId: "ed25519:E1", signature: "m" }],
        ["@e:test"],
      );
      expect((await store.e2eeKeys.signaturesFor(["@e:test"])).map((s) => s.signature).sort()).toEqual([
        "m",
        "s2",
      ]);
      // Replacing the self-signing key drops the signatures it made; the master key's stay.
      await store.e2eeKeys.setCrossSigningKeys("@e:test", [
        { userId: "@e:test", type: "self_signing", publicKey: "SPK2", key: { usage: ["self_signing"] } },
      ]);
      expect((await store.e2eeKeys.signaturesFor(["@e:test"])).map((s) => s.signature)).toEqual(["m"]);
      const before = await store.streams.current("device_lists");
      const position = await store.e2eeKeys.deleteDeviceKeys("@e:test", ["E1"]);
      expect(position).toBeGreaterThan(before);
      expect(await store.e2eeKeys.getDeviceKeys("@e:test", "E1")).toBeUndefined();
      expect(await store.e2eeKeys.oneTimeKeyCounts("@e:test", "E1")).toEqual({});
      expect(await store.e2eeKeys.signaturesFor(["@e:test"])).toEqual([]);
    });

    it("keeps one dehydrated device per user, replacing the previous one with its keys", async () => {
      await device("@f:test", "REAL");
      expect(await store.dehydratedDevices.get("@f:test")).toBeUndefined();
      expect(
        await store.dehydratedDevices.put("@f:test", { deviceId: "REAL", deviceData: {} }, null, 1),
      ).toBe(undefined);
      expect(
        await store.dehydratedDevices.put(
          "@f:test",
          { deviceId: "DH1", deviceData: { a: 1 } },
          "Dehydrated",
          1,
        ),
      ).toEqual({ replaced: null });
      await store.e2eeKeys.setDeviceKeys("@f:test", "DH1", { device_id: "DH1" });
      expect(await store.dehydratedDevices.get("@f:test")).toEqual({ deviceId: "DH1", deviceData: { a: 1 } });
      expect((await store.devices.list("@f:test")).map((d) => d.deviceId)).toEqual(["DH1", "REAL"]);
      expect(
        await store.dehydratedDevices.put("@f:test", { deviceId: "DH2", deviceData: { a: 2 } }, null, 2),
      ).toEqual({ replaced: "DH1" });
      expect(await store.e2eeKeys.getDeviceKeys("@f:test", "DH1")).toBeUndefined();
      expect((await store.devices.list("@f:test")).map((d) => d.deviceId)).toEqual(["DH2", "REAL"]);
      expect(await store.dehydratedDevices.delete("@f:test")).toBe("DH2");
      expect(await store.dehydratedDevices.delete("@f:test")).toBeUndefined();
      expect((await store.devices.list("@f:test")).map((d) => d.deviceId)).toEqual(["REAL"]);
    });

    it("lists the memberships whose member event falls in a window of the events stream", async () => {
      const event = (eventId: string, type: string, stateKey: string, content: object, depth: number) => ({
        eventId,
        pdu: {
          room_id: "!m:test",
          sender: "@h:test",
          type,
          state_key: stateKey,
          content,
          prev_events: [],
          auth_events: [],
          depth,
          origin_server_ts: 1000,
          hashes: { sha256: "x" },
          signatures: {},
        } as unknown as Pdu,
        isState: true,
        prevEventIds: [],
      });
      const from = await store.rooms.persistEvent({
        ...event("$c", "m.room.create", "", { room_version: "10", creator: "@h:test" }, 1),
        newRoom: { roomId: "!m:test", version: "10", creator: "@h:test", createdTs: 1 },
      });
      const join = await store.rooms.persistEvent(
        event("$j", "m.room.member", "@h:test", { membership: "join" }, 2),
      );
      await store.rooms.persistEvent(event("$i", "m.room.member", "@i:test", { membership: "join" }, 3));
      const to = await store.rooms.persistEvent(
        event("$l", "m.room.member", "@i:test", { membership: "leave" }, 4),
      );
      expect(await store.e2eeKeys.membershipChanges(from, to)).toEqual(
        expect.arrayContaining([
          { roomId: "!m:test", userId: "@h:test", membership: "join" },
          { roomId: "!m:test", userId: "@i:test", membership: "leave" },
        ]),
      );
      expect(await store.e2eeKeys.membershipChanges(join, to)).toEqual([
        { roomId: "!m:test", userId: "@i:test", membership: "leave" },
      ]);
      expect(await store.e2eeKeys.membershipChanges(to, to)).toEqual([]);
    });

    describe("key backup", () => {
      const key = (over: Partial<BackedUpKey> = {}): BackedUpKey => ({
        roomId: "!r:test",
        sessionId: "S1",
        firstMessageIndex: 5,
        forwardedCount: 1,
        isVerified: false,
        sessionData: { ciphertext: "c" },
        ...over,
      });

      it("numbers versions, keeps the best copy of each session and moves the etag on change only", async () => {
        const u = "@g:test";
        expect(await store.keyBackup.getVersion(u)).toBeUndefined();
        const v1 = await store.keyBackup.createVersion(u, "m.megolm_backup.v1.curve25519-aes-sha2", { k: 1 });
        const first = await store.keyBackup.putKeys(u, v1, [key()], preferKey);
        expect(first).toMatchObject({ status: "ok", count: 1 });
        const etag1 = (first as { etag: string }).etag;
        // A worse copy (higher index) changes nothing, not even the etag.
        const same = await store.keyBackup.putKeys(u, v1, [key({ firstMessageIndex: 9 })], preferKey);
        expect(same).toEqual({ status: "ok", count: 1, etag: etag1 });
        const better = await store.keyBackup.putKeys(
          u,
          v1,
          [key({ firstMessageIndex: 0, sessionData: { c: 2 } })],
          preferKey,
        );
        expect(better).toMatchObject({ status: "ok", count: 1 });
        expect((better as { etag: string }).etag).not.toBe(etag1);
        expect((await store.keyBackup.getKeys(u, v1))[0]?.sessionData).toEqual({ c: 2 });

        const v2 = await store.keyBackup.createVersion(u, "alg", {});
        expect(Number(v2)).toBeGreaterThan(Number(v1));
        expect(await store.keyBackup.putKeys(u, v1, [key()], preferKey)).toEqual({
          status: "wrong_version",
          current: v2,
        });
        expect((await store.keyBackup.getVersion(u))?.version).toBe(v2);
        expect((await store.keyBackup.getVersion(u, v1))?.count).toBe(1);
        expect(await store.keyBackup.deleteKeys(u, v1, "!r:test", "S1")).toMatchObject({
          status: "ok",
          count: 0,
        });
        expect(await store.keyBackup.deleteVersion(u, v2)).toBe(true);
        expect(await store.keyBackup.deleteVersion(u, v2)).toBe(false);
        expect((await store.keyBackup.getVersion(u))?.version).toBe(v1);
        expect(await store.keyBackup.updateVersion(u, v1, { k: 3 })).toBe(true);
        expect((await store.keyBackup.getVersion(u, v1))?.authData).toEqual({ k: 3 });
        const v3 = await store.keyBackup.createVersion(u, "alg", {});
        expect(Number(v3)).toBeGreaterThan(Number(v2));
        expect(await store.keyBackup.putKeys(u, "nonsense", [key()], preferKey)).toMatchObject({
          status: "wrong_version",
        });
        expect(await store.keyBackup.putKeys("@nobackup:test", "1", [key()], preferKey)).toEqual({
          status: "not_found",
        });
      });

      it("prefers verified, then lower first_message_index, then lower forwarded_count", () => {
        expect(preferKey(key(), key({ isVerified: true, firstMessageIndex: 99 }))).toBe(true);
        expect(preferKey(key({ isVerified: true }), key({ firstMessageIndex: 0 }))).toBe(false);
        expect(preferKey(key(), key({ firstMessageIndex: 4 }))).toBe(true);
        expect(preferKey(key(), key({ firstMessageIndex: 6, forwardedCount: 0 }))).toBe(false);
        expect(preferKey(key(), key({ forwardedCount: 0 }))).toBe(true);
        expect(preferKey(key(), key())).toBe(false);
      });
    });
  });
}
