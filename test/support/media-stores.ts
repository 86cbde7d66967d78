/**
 * The MediaStore adapters every media store contract test runs on: the local folder, and S3 against
 * a real S3-compatible server (s3rver, started here on a free loopback port).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { FsMediaStore } from "../../src/adapters/fs-media/fs-media-store.js";
import { S3MediaStore } from "../../src/adapters/s3-media/s3-media-store.js";
import type { MediaStore } from "../../src/ports/media-store.js";

export interface OpenedMediaStore {
  store: MediaStore;
  close(): Promise<void>;
}

export interface MediaStoreAdapter {
  name: string;
  open(): Promise<OpenedMediaStore>;
}

export const nodeSha256 = () => {
  const hash = createHash("sha256");
  return { update: (bytes: Uint8Array) => void hash.update(bytes), digestHex: () => hash.digest("hex") };
};

/** Starts s3rver with one bucket; its credentials are s3rver's fixed S3RVER/S3RVER. */
export async function startS3Server(bucket = "media"): Promise<{ endpoint: string; close(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), "lattice-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = (await server.run()) as { address: string; port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export function mediaStoreAdapters(): MediaStoreAdapter[] {
  return [
    {
      name: "fs",
      async open() {
        const root = mkdtempSync(join(tmpdir(), "lattice-media-"));
        return {
          store: new FsMediaStore(root),
          close: async () => rmSync(root, { recursive: true, force: true }),
        };
      },
    },
    {
      name: "s3",
      async open() {
        const s3 = await startS3Server();
        const store = new S3MediaStore({
          endpoint: s3.endpoint,
          bucket: "media",
          region: "us-east-1",
          accessKeyId: "S3RVER",
          secretAccessKey: "S3RVER",
          prefix: "media/",
          createHash: nodeSha256,
          partBytes: 5 * 1024 * 1024,
        });
        return { store, close: s3.close };
      },
    },
  ];
}
