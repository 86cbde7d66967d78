/**
 * Where media bytes live: a local folder on Node, an S3-compatible bucket in scale-out, R2 on
 * Workers. Content-addressed by SHA-256, so identical uploads are stored once. Streams in and out:
 * an adapter never holds a whole file in memory.
 */

export interface StoredBlob {
  /** Lower-case hex SHA-256 of the bytes: the blob's address. */
  sha256: string;
  size: number;
}

/** Inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface MediaStore {
  /**
   * Streams `body` into storage while hashing it and returns its address. When the stream errors
   * (a size limit, a client that went away) nothing is kept and the error is rethrown. Storing bytes
   * that already exist keeps the one copy.
   */
  put(body: ReadableStream<Uint8Array>): Promise<StoredBlob>;
  /** The blob's bytes (or the range of them); undefined when absent. */
  get(sha256: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined>;
  /** Removes the blob; no error when it is already gone. */
  delete(sha256: string): Promise<void>;
  exists(sha256: string): Promise<boolean>;
}
