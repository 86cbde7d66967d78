/**
 * MediaStore on a local folder (the default, under the data folder's `media/`). Blobs live at
 * `<root>/<ab>/<cd>/<sha256>`; an upload streams to `<root>/tmp/` while hashing, then is renamed
 * into place (atomic on one file system), or dropped when that blob already exists.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import type { ByteRange, MediaStore, StoredBlob } from "../../ports/media-store.js";

const SHA256 = /^[0-9a-f]{64}$/;

export class FsMediaStore implements MediaStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    // The address is used as a path: only ever a hex digest, never user input.
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256 address: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(body: ReadableStream<Uint8Array>): Promise<StoredBlob> {
    const tmpDir = join(this.root, "tmp");
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomBytes(12).toString("hex"));
    const hash = createHash("sha256");
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body as NodeWebStream<Uint8Array>), hasher, createWriteStream(tmp));
      const sha256 = hash.digest("hex");
      const target = this.pathOf(sha256);
      if (await this.exists(sha256)) {
        await rm(tmp, { force: true });
      } else {
        await mkdir(join(target, ".."), { recursive: true });
        await rename(tmp, target);
      }
      return { sha256, size };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined> {
    const path = this.pathOf(sha256);
    if (!(await this.exists(sha256))) return undefined;
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch {
      return false;
    }
  }
}
