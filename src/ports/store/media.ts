/** Media metadata: what was uploaded, by whom, where its bytes are (a SHA-256 address in the
 * MediaStore), and the thumbnails made of it. The bytes themselves live in the MediaStore port. */
import type { ThumbnailMethod } from "../thumbnailer.js";

export interface MediaRecord {
  serverName: string;
  mediaId: string;
  /** The uploader (local media), null for remote media cached here. */
  userId: string | null;
  contentType: string | null;
  uploadName: string | null;
  /** Null until the bytes are uploaded (asynchronous upload, `POST /_matrix/media/v1/create`). */
  sha256: string | null;
  size: number | null;
  createdTs: number;
  uploadedTs: number | null;
  lastAccessTs: number;
  /** When an unused `create` reservation lapses; null once uploaded. */
  expiresTs: number | null;
  quarantinedBy: string | null;
}

export interface NewMedia {
  serverName: string;
  mediaId: string;
  userId: string | null;
  createdTs: number;
  /** Set for a reservation (asynchronous upload), absent for a finished upload. */
  expiresTs?: number;
  upload?: MediaUpload;
}

export interface MediaUpload {
  contentType: string;
  uploadName: string | null;
  sha256: string;
  size: number;
  uploadedTs: number;
}

export interface ThumbnailRecord {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
  contentType: string;
  sha256: string;
  size: number;
}

export interface MediaRepository {
  /** Inserts a media row; false when the ID is taken. */
  create(media: NewMedia): Promise<boolean>;
  /** Fills a reservation with its bytes, once: "uploaded" when done, "exists" when it already had
   * bytes, "missing" when there is no such reservation. */
  completeUpload(
    serverName: string,
    mediaId: string,
    upload: MediaUpload,
  ): Promise<"uploaded" | "exists" | "missing">;
  get(serverName: string, mediaId: string): Promise<MediaRecord | undefined>;
  /** Reservations of the user still open at `nowTs`. */
  countPending(userId: string, nowTs: number): Promise<number>;
  touch(serverName: string, mediaId: string, nowTs: number): Promise<void>;
  setQuarantined(serverName: string, mediaId: string, by: string | null): Promise<boolean>;
  /** Deletes the media and its thumbnails; returns the blob addresses they pointed at (to free the
   * ones nothing else uses), or undefined when there was no such media. */
  delete(serverName: string, mediaId: string): Promise<string[] | undefined>;
  /** A user's media, newest first. */
  listByUser(
    userId: string,
    options: { limit: number; offset: number },
  ): Promise<{ media: MediaRecord[]; total: number }>;
  putThumbnail(serverName: string, mediaId: string, thumbnail: ThumbnailRecord): Promise<void>;
  listThumbnails(serverName: string, mediaId: string): Promise<ThumbnailRecord[]>;
  /** True when some media or thumbnail still points at this blob. */
  isBlobUsed(sha256: string): Promise<boolean>;
  /**
   * Media to purge: local media (server `localServerName`) last accessed before `localBefore`,
   * remote media last accessed before `remoteBefore`, and reservations that lapsed before `nowTs`.
   * A null cut-off keeps that kind forever.
   */
  listExpired(options: {
    localServerName: string;
    localBefore: number | null;
    remoteBefore: number | null;
    nowTs: number;
    limit: number;
  }): Promise<Array<{ serverName: string; mediaId: string }>>;
}
