/**
 * Uploading and downloading media (spec: client-server-api "Content repository"; MSC2246
 * asynchronous uploads; MSC3916 authenticated media). Bytes stream through to the MediaStore and
 * back out; only metadata goes to the Store.
 */
import type { Clock } from "../../ports/clock.js";
import type { ByteRange, MediaStore } from "../../ports/media-store.js";
import type { RemoteMediaFetcher } from "../../ports/remote-media.js";
import type { MediaRecord, MediaRepository } from "../../ports/store/media.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, MatrixError, notFound } from "../errors.js";
import type { RateLimiter } from "../rate-limit/rate-limiter.js";
import { limitBytes, tooLarge } from "./limit-stream.js";
import type { MediaConfig } from "./media-config.js";
import { assertMediaKey, mxcUri, newMediaId } from "./media-ids.js";
import { parseRange } from "./range.js";
import { UploadWaiters } from "./upload-waiters.js";

export interface UploadInput {
  body: ReadableStream<Uint8Array> | null;
  contentType: string | undefined;
  fileName: string | undefined;
  /** From `Content-Length`, when the client sent one: refused early when over the limit. */
  contentLength: number | undefined;
}

export interface MediaContent {
  contentType: string;
  uploadName: string | null;
  /** The whole entity's size. */
  size: number;
  body: ReadableStream<Uint8Array>;
  /** Set when `body` is this range of the entity (206). */
  range?: ByteRange;
}

export interface ServeOptions {
  /** How long to wait for a reserved upload (spec default 20 s). */
  timeoutMs: number;
  /** Served through the frozen unauthenticated endpoints. */
  legacy: boolean;
}

/** Last-access times are written at most this often, so downloads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;
const MAX_TIMEOUT_MS = 120_000;

export class MediaService {
  private readonly waiters = new UploadWaiters();

  constructor(
    private readonly media: MediaRepository,
    private readonly blobs: MediaStore,
    private readonly clock: Clock,
    private readonly config: { serverName: string; media: MediaConfig },
    private readonly uploadLimiter: RateLimiter,
    /** Absent until federation exists. */
    private readonly remote: RemoteMediaFetcher | undefined,
    /** Called after each finished upload (thumbnail pre-generation); failures are ignored. */
    private readonly afterUpload: (record: MediaRecord) => Promise<void> = async () => {},
  ) {}

  get serverName(): string {
    return this.config.serverName;
  }

  /** `POST /_matrix/media/v3/upload`: stores the bytes and returns the new `mxc://` URI. */
  async upload(requester: Requester, input: UploadInput): Promise<string> {
    this.uploadLimiter.take(requester.userId);
    const upload = await this.storeBytes(input);
    const mediaId = newMediaId();
    await this.media.create({
      serverName: this.serverName,
      mediaId,
      userId: requester.userId,
      createdTs: upload.uploadedTs,
      upload,
    });
    await this.finished(mediaId);
    return mxcUri(this.serverName, mediaId);
  }

  /** Stores bytes the server fetched itself (a URL preview's image) as the user's media. */
  async storeFetched(userId: string, bytes: Uint8Array, contentType: string): Promise<string> {
    const upload = await this.storeBytes({
      body: new Response(bytes as Uint8Array<ArrayBuffer>).body,
      contentType,
      fileName: undefined,
      contentLength: bytes.byteLength,
    });
    const mediaId = newMediaId();
    await this.media.create({
      serverName: this.serverName,
      mediaId,
      userId,
      createdTs: upload.uploadedTs,
      upload,
    });
    await this.finished(mediaId);
    return mxcUri(this.serverName, mediaId);
  }

  /** `POST /_matrix/media/v1/create`: reserves a media ID to upload to later. */
  async create(requester: Requester): Promise<{ contentUri: string; unusedExpiresAt: number }> {
    this.uploadLimiter.take(requester.userId);
    const now = this.clock.now();
    if ((await this.media.countPending(requester.userId, now)) >= this.config.media.maxPendingUploads) {
      throw new MatrixError(429, "M_LIMIT_EXCEEDED", "Too many pending uploads", { retry_after_ms: 60_000 });
    }
    const mediaId = newMediaId();
    const expiresTs = now + this.config.media.pendingUploadLifetimeMs;
    await this.media.create({
      serverName: this.serverName,
      mediaId,
      userId: requester.userId,
      createdTs: now,
      expiresTs,
    });
    return { contentUri: mxcUri(this.serverName, mediaId), unusedExpiresAt: expiresTs };
  }

  /** `PUT /_matrix/media/v3/upload/{serverName}/{mediaId}`: fills a reservation, once. */
  async uploadTo(
    requester: Requester,
    serverName: string,
    mediaId: string,
    input: UploadInput,
  ): Promise<void> {
    assertMediaKey(serverName, mediaId);
    if (serverName !== this.serverName) throw notFound("Not a reservation of this server");
    const record = await this.media.get(serverName, mediaId);
    if (!record) throw notFound("No such reservation");
    if (record.userId !== requester.userId) throw forbidden("This media ID was reserved by another user");
    if (record.sha256 !== null) throw cannotOverwrite();
    if (record.expiresTs !== null && record.expiresTs <= this.clock.now()) {
      throw notFound("The reservation has expired");
    }
    this.uploadLimiter.take(requester.userId);
    const upload = await this.storeBytes(input);
    const outcome = await this.media.completeUpload(serverName, mediaId, upload);
    if (outcome !== "uploaded") {
      // Lost a race with a concurrent upload to the same reservation (or a purge).
      await this.freeBlobs([upload.sha256]);
      throw outcome === "exists" ? cannotOverwrite() : notFound("No such reservation");
    }
    await this.finished(mediaId);
  }

  /** The media's bytes (or the asked range), for the download endpoints. */
  async download(
    serverName: string,
    mediaId: string,
    options: ServeOptions & { range?: string },
  ): Promise<MediaContent> {
    const record = await this.resolve(serverName, mediaId, options);
    const size = record.size as number;
    const range = parseRange(options.range, size);
    if (range === "unsatisfiable") {
      throw new MatrixError(
        416,
        "M_UNKNOWN",
        "Range not satisfiable",
        {},
        { "Content-Range": `bytes */${size}` },
      );
    }
    const body = await this.blobs.get(record.sha256 as string, range);
    if (!body) throw notFound("Media content is missing");
    return {
      contentType: record.contentType ?? "application/octet-stream",
      uploadName: record.uploadName,
      size,
      body,
      ...(range ? { range } : {}),
    };
  }

  /**
   * The uploaded media record, after every check a read must pass: a valid key, local (remote
   * fetching plugs in with federation), not frozen for the legacy endpoints, not quarantined, and
   * uploaded (waiting up to `timeoutMs` for a reserved upload).
   */
  async resolve(serverName: string, mediaId: string, options: ServeOptions): Promise<MediaRecord> {
    assertMediaKey(serverName, mediaId);
    if (serverName !== this.serverName) {
      // Remote media is 404 M_NOT_FOUND rather than 502 until federation exists: we cannot know the
      // content, so it is unknown to this server, as for a remote server that lacks it. With a
      // fetcher (`this.remote`) it will be downloaded, stored and recorded with a null user, and
      // served from then on like local media; purged by `remote_media_lifetime`.
      throw notFound("Remote media is not available on this server yet");
    }
    let record = await this.media.get(serverName, mediaId);
    if (!record) throw notFound("Not found");
    if (options.legacy && record.createdTs >= this.config.media.unauthenticatedMediaCutoffTs) {
      // Frozen (Matrix 1.12): media since the freeze only through /_matrix/client/v1/media.
      throw notFound("Not found");
    }
    if (record.quarantinedBy !== null) throw notFound("Not found");
    if (record.sha256 === null) {
      const now = this.clock.now();
      if (record.expiresTs !== null && record.expiresTs <= now) throw notFound("Not found");
      const timeout = Math.min(Math.max(options.timeoutMs, 0), MAX_TIMEOUT_MS);
      if (timeout > 0) await this.waiters.wait(mediaId, timeout);
      record = await this.media.get(serverName, mediaId);
      if (!record || record.quarantinedBy !== null) throw notFound("Not found");
      if (record.sha256 === null) {
        throw new MatrixError(504, "M_NOT_YET_UPLOADED", "The media has not been uploaded yet");
      }
    }
    const now = this.clock.now();
    if (now - record.lastAccessTs > TOUCH_INTERVAL_MS) await this.media.touch(serverName, mediaId, now);
    return record;
  }

  /** Frees blobs that no media or thumbnail points at any more. */
  async freeBlobs(sha256s: string[]): Promise<void> {
    // A concurrent upload of the same bytes could re-use a blob between the check and the delete;
    // that upload's media would then miss its bytes (404). Rare enough for now; a scale-out
    // deployment should purge under a lock.
    for (const sha256 of sha256s) {
      if (!(await this.media.isBlobUsed(sha256))) await this.blobs.delete(sha256);
    }
  }

  private async storeBytes(input: UploadInput) {
    const max = this.config.media.maxUploadBytes;
    if (input.contentLength !== undefined && input.contentLength > max) {
      await input.body?.cancel().catch(() => {});
      throw tooLarge(max);
    }
    const body = input.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const blob = await this.blobs.put(body.pipeThrough(limitBytes(max)));
    return {
      contentType: input.contentType?.trim() || "application/octet-stream",
      uploadName: input.fileName || null,
      sha256: blob.sha256,
      size: blob.size,
      uploadedTs: this.clock.now(),
    };
  }

  private async finished(mediaId: string): Promise<void> {
    this.waiters.wake(mediaId);
    const record = await this.media.get(this.serverName, mediaId);
    if (record) await this.afterUpload(record).catch(() => {});
  }
}

const cannotOverwrite = () =>
  new MatrixError(409, "M_CANNOT_OVERWRITE_MEDIA", "Media has already been uploaded to this ID");
