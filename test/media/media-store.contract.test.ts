import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaStore } from "../../src/ports/media-store.js";
import { mediaStoreAdapters, type OpenedMediaStore } from "../support/media-stores.js";

const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

/** `total` pseudo-random bytes in 64 KiB chunks, generated as read (never all in memory). */
const generated = (total: number, seed: number) => {
  let sent = 0;
  const block = createHash("sha512").update(String(seed)).digest();
  const chunkBytes = 64 * 1024;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunkBytes, total - sent);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i += block.length)
        chunk.set(block.subarray(0, Math.min(block.length, n - i)), i);
      chunk[0] = (sent / chunkBytes) & 0xff;
      sent += n;
      controller.enqueue(chunk);
    },
  });
};

async function readAll(stream: ReadableStream<Uint8Array> | undefined): Promise<Buffer> {
  if (!stream) throw new Error("no stream");
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function hashOf(
  stream: ReadableStream<Uint8Array> | undefined,
): Promise<{ sha256: string; size: number }> {
  if (!stream) throw new Error("no stream");
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest("hex"), size };
}

for (const adapter of mediaStoreAdapters()) {
  describe(`media store contract (${adapter.name})`, () => {
    let opened: OpenedMediaStore;
    let store: MediaStore;
    beforeAll(async () => {
      opened = await adapter.open();
      store = opened.store;
    });
    afterAll(() => opened.close());

    const hello = new TextEncoder().encode("hello, media");
    const helloSha = createHash("sha256").update(hello).digest("hex");

    it("stores a stream at its SHA-256 and gives the bytes back", async () => {
      const blob = await store.put(streamOf(hello.subarray(0, 5), hello.subarray(5)));
      expect(blob).toEqual({ sha256: helloSha, size: hello.length });
      expect(await store.exists(helloSha)).toBe(true);
      expect((await readAll(await store.get(helloSha))).toString()).toBe("hello, media");
    });

    it("keeps one copy of identical bytes", async () => {
      const again = await store.put(streamOf(hello));
      expect(again.sha256).toBe(helloSha);
      expect((await readAll(await store.get(helloSha))).toString()).toBe("hello, media");
    });

    it("serves an inclusive byte range", async () => {
      expect((await readAll(await store.get(helloSha, { start: 7, end: 11 }))).toString()).toBe("media");
      expect((await readAll(await store.get(helloSha, { start: 0, end: 0 }))).toString()).toBe("h");
    });

    it("stores the empty blob", async () => {
      const blob = await store.put(streamOf());
      expect(blob.size).toBe(0);
      expect((await readAll(await store.get(blob.sha256))).length).toBe(0);
    });

    it("answers undefined and false for an absent blob, and deletes idempotently", async () => {
      const absent = "0".repeat(64);
      expect(await store.exists(absent)).toBe(false);
      expect(await store.get(absent)).toBeUndefined();
      await store.delete(helloSha);
      await store.delete(helloSha);
      expect(await store.exists(helloSha)).toBe(false);
      expect(await store.get(helloSha)).toBeUndefined();
    });

    it("keeps nothing when the incoming stream fails", async () => {
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 3) controller.enqueue(new Uint8Array(1000).fill(7));
          else controller.error(new Error("client went away"));
        },
      });
      await expect(store.put(failing)).rejects.toThrow("client went away");
      const partial = createHash("sha256").update(new Uint8Array(3000).fill(7)).digest("hex");
      expect(await store.exists(partial)).toBe(false);
    });

    it("streams a blob larger than one multipart part in and out", async () => {
      const total = 12 * 1024 * 1024 + 123;
      const expected = await hashOf(generated(total, 1));
      const blob = await store.put(generated(total, 1));
      expect(blob).toEqual(expected);
      expect(await hashOf(await store.get(blob.sha256))).toEqual(expected);
      const tail = await readAll(await store.get(blob.sha256, { start: total - 10, end: total - 1 }));
      expect(tail.length).toBe(10);
      await store.delete(blob.sha256);
    });

    it("rejects anything but a SHA-256 address", async () => {
      await expect(store.get("../../etc/passwd")).rejects.toThrow();
    });
  });
}
