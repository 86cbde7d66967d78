import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import { storeEngines } from "../support/store-engines.js";

const upload = (sha256: string, ts: number) => ({
  contentType: "image/png",
  uploadName: "cat.png",
  sha256,
  size: 10,
  uploadedTs: ts,
});

for (const engine of storeEngines()) {
  describe(`media store contract (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());

    it("creates uploaded media once and reads it back", async () => {
      const media = {
        serverName: "test",
        mediaId: "m1",
        userId: "@a:test",
        createdTs: 100,
        upload: upload("a".repeat(64), 100),
      };
      expect(await store.media.create(media)).toBe(true);
      expect(await store.media.create(media)).toBe(false);
      expect(await store.media.get("test", "m1")).toEqual({
        serverName: "test",
        mediaId: "m1",
        userId: "@a:test",
        contentType: "image/png",
        uploadName: "cat.png",
        sha256: "a".repeat(64),
        size: 10,
        createdTs: 100,
        uploadedTs: 100,
        lastAccessTs: 100,
        expiresTs: null,
        quarantinedBy: null,
      });
      expect(await store.media.get("test", "nope")).toBeUndefined();
    });

    it("fills a reservation exactly once and counts open reservations", async () => {
      await store.media.create({
        serverName: "test",
        mediaId: "r1",
        userId: "@a:test",
        createdTs: 100,
        expiresTs: 1000,
      });
      await store.media.create({
        serverName: "test",
        mediaId: "r2",
        userId: "@a:test",
        createdTs: 100,
        expiresTs: 150,
      });
      expect(await store.media.countPending("@a:test", 120)).toBe(2);
      expect(await store.media.countPending("@a:test", 200)).toBe(1);
      expect(await store.media.completeUpload("test", "r1", upload("b".repeat(64), 300))).toBe("uploaded");
      expect(await store.media.completeUpload("test", "r1", upload("c".repeat(64), 301))).toBe("exists");
      expect(await store.media.completeUpload("test", "zz", upload("c".repeat(64), 301))).toBe("missing");
      expect(await store.media.get("test", "r1")).toMatchObject({
        sha256: "b".repeat(64),
        expiresTs: null,
        lastAccessTs: 300,
      });
      expect(await store.media.countPending("@a:test", 120)).toBe(1);
    });

    it("records thumbnails, and deleting media returns every blob it used", async () => {
      const thumb = {
        width: 32,
        height: 32,
        method: "crop" as const,
        animated: false,
        contentType: "image/png",
        sha256: "d".repeat(64),
        size: 5,
      };
      await store.media.putThumbnail("test", "m1", thumb);
      await store.media.putThumbnail("test", "m1", thumb);
      expect(await store.media.listThumbnails("test", "m1")).toEqual([thumb]);
      expect(await store.media.isBlobUsed("d".repeat(64))).toBe(true);
      expect((await store.media.delete("test", "m1"))?.sort()).toEqual(["a".repeat(64), "d".repeat(64)]);
      expect(await store.media.delete("test", "m1")).toBeUndefined();
      expect(await store.media.isBlobUsed("d".repeat(64))).toBe(false);
      expect(await store.media.listThumbnails("test", "m1")).toEqual([]);
    });

    it("quarantines, touches and lists a user's media newest first", async () => {
      await store.media.create({
        serverName: "test",
        mediaId: "u1",
        userId: "@u:test",
        createdTs: 10,
        upload: upload("e".repeat(64), 10),
      });
      await store.media.create({
        serverName: "test",
        mediaId: "u2",
        userId: "@u:test",
        createdTs: 20,
        upload: upload("e".repeat(64), 20),
      });
      expect(await store.media.setQuarantined("test", "u1", "@admin:test")).toBe(true);
      expect(await store.media.setQuarantined("test", "none", "@admin:test")).toBe(false);
      await store.media.touch("test", "u1", 500);
      await store.media.touch("test", "u1", 400);
      expect(await store.media.get("test", "u1")).toMatchObject({
        quarantinedBy: "@admin:test",
        lastAccessTs: 500,
      });
      const page = await store.media.listByUser("@u:test", { limit: 1, offset: 0 });
      expect(page.total).toBe(2);
      expect(page.media.map((m) => m.mediaId)).toEqual(["u2"]);
      expect(
        (await store.media.listByUser("@u:test", { limit: 5, offset: 1 })).media.map((m) => m.mediaId),
      ).toEqual(["u1"]);
    });

    it("lists expired media by last access and lapsed reservations", async () => {
      await store.media.create({
        serverName: "remote.org",
        mediaId: "x1",
        userId: null,
        createdTs: 10,
        upload: upload("f".repeat(64), 10),
      });
      const expired = async (localBefore: number | null, remoteBefore: number | null, nowTs: number) =>
        (
          await store.media.listExpired({
            localServerName: "test",
            localBefore,
            remoteBefore,
            nowTs,
            limit: 100,
          })
        )
          .map((m) => m.mediaId)
          .sort();
      // r2's reservation lapsed at 150; u2 was last accessed at 20, u1 at 500.
      expect(await expired(null, null, 200)).toEqual(["r2"]);
      expect(await expired(100, null, 120)).toEqual(["u2"]);
      expect(await expired(null, 100, 120)).toEqual(["x1"]);
      expect(await expired(1000, 1000, 2000)).toEqual(["r1", "r2", "u1", "u2", "x1"]);
    });
  });
}
