/**
 * MediaStore on an S3-compatible bucket (AWS S3, R2 through its S3 API, MinIO, ...). An upload
 * streams to a temporary key in multipart parts (one part buffered at a time) while hashing; the
 * finished object is then copied server-side to its content address `<prefix><sha256>`, or dropped
 * when that address already holds the same bytes.
 */
import type { ByteRange, MediaStore, StoredBlob } from "../../ports/media-store.js";
import { S3Client, type S3Options } from "./s3-client.js";

/** Incremental SHA-256 (WebCrypto has none): node:crypto's createHash on Node, DigestStream on
 * Workers. */
export interface IncrementalHash {
  update(bytes: Uint8Array): void;
  digestHex(): string;
}

export interface S3MediaStoreOptions extends S3Options {
  /** Key prefix for every object, e.g. `media/`. */
  prefix?: string;
  createHash: () => IncrementalHash;
  /** Multipart part size (S3's minimum is 5 MiB). */
  partBytes?: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly partBytes: number;

  constructor(private readonly options: S3MediaStoreOptions) {
    this.client = new S3Client(options);
    this.prefix = options.prefix ?? "";
    this.partBytes = Math.max(options.partBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
  }

  private keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256 address: ${sha256}`);
    return `${this.prefix}${sha256}`;
  }

  async put(body: ReadableStream<Uint8Array>): Promise<StoredBlob> {
    const tmpKey = `${this.prefix}tmp/${crypto.randomUUID()}`;
    const hash = this.options.createHash();
    const reader = body.getReader();
    let size = 0;
    let uploadId: string | undefined;
    const etags: string[] = [];
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPart = async () => {
      uploadId ??= await this.client.createMultipartUpload(tmpKey);
      etags.push(
        await this.client.uploadPart(tmpKey, uploadId, etags.length + 1, concat(pending, pendingBytes)),
      );
      pending = [];
      pendingBytes = 0;
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        size += value.byteLength;
        pending.push(value);
        pendingBytes += value.byteLength;
        if (pendingBytes >= this.partBytes) await flushPart();
      }
      if (uploadId === undefined) {
        await this.client.putObject(tmpKey, concat(pending, pendingBytes));
      } else {
        if (pendingBytes > 0) await flushPart();
        await this.client.completeMultipartUpload(tmpKey, uploadId, etags);
      }
      const sha256 = hash.digestHex();
      if (!(await this.exists(sha256))) await this.client.copyObject(tmpKey, this.keyOf(sha256));
      await this.client.deleteObject(tmpKey);
      return { sha256, size };
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      if (uploadId !== undefined) await this.client.abortMultipartUpload(tmpKey, uploadId).catch(() => {});
      await this.client.deleteObject(tmpKey).catch(() => {});
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined> {
    const response = await this.client.getObject(this.keyOf(sha256), range);
    if (!response?.body) return undefined;
    if (!range) return response.body;
    // A server may ignore Range or widen it (HTTP allows both; s3rver widens `bytes=0-0` to the
    // whole object): cut the asked range out of what came.
    const served = /^bytes (\d+)-(\d+)\//.exec(response.headers.get("content-range") ?? "");
    const first = response.status === 206 && served ? Number(served[1]) : 0;
    const last = response.status === 206 && served ? Number(served[2]) : Number.POSITIVE_INFINITY;
    if (first === range.start && last === range.end) return response.body;
    return response.body.pipeThrough(sliceStream(range, first));
  }

  async delete(sha256: string): Promise<void> {
    await this.client.deleteObject(this.keyOf(sha256));
  }

  exists(sha256: string): Promise<boolean> {
    return this.client.headObject(this.keyOf(sha256));
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Passes on only the bytes of `range` (inclusive) of the stream. */
function sliceStream(range: ByteRange, startsAt: number): TransformStream<Uint8Array, Uint8Array> {
  let offset = startsAt;
  return new TransformStream({
    transform(chunk, controller) {
      const from = Math.max(range.start - offset, 0);
      const to = Math.min(range.end + 1 - offset, chunk.byteLength);
      offset += chunk.byteLength;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (offset > range.end) controller.terminate();
    },
  });
}
