/**
 * Server-side key backups (spec: client-server-api "Server-side key backups"): versions per user,
 * each with its encrypted room keys. `etag` changes whenever the keys of a version change; `count` is
 * the number of sessions stored.
 */
import type { JsonObject } from "../../protocol/json.js";

export interface BackupVersion {
  version: string;
  algorithm: string;
  authData: JsonObject;
  etag: string;
  count: number;
}

/** One backed-up megolm session (KeyBackupData); `sessionData` is opaque to the server. */
export interface BackedUpKey {
  roomId: string;
  sessionId: string;
  firstMessageIndex: number;
  forwardedCount: number;
  isVerified: boolean;
  sessionData: JsonObject;
}

export type KeyWriteResult =
  | { status: "ok"; etag: string; count: number }
  /** The version does not exist (or was deleted). */
  | { status: "not_found" }
  /** The version exists but is not the latest: `current` is the latest. */
  | { status: "wrong_version"; current: string | null };

/** Decides whether `incoming` replaces `existing` (the spec's rules, kept in the service). */
export type PreferKey = (existing: BackedUpKey, incoming: BackedUpKey) => boolean;

export interface KeyBackupRepository {
  createVersion(userId: string, algorithm: string, authData: JsonObject): Promise<string>;
  /** The version, or the latest when `version` is undefined; deleted versions are absent. */
  getVersion(userId: string, version?: string): Promise<BackupVersion | undefined>;
  /** Replaces auth_data; false when the version does not exist. */
  updateVersion(userId: string, version: string, authData: JsonObject): Promise<boolean>;
  /** Deletes the version and its keys; false when it does not exist. */
  deleteVersion(userId: string, version: string): Promise<boolean>;

  /** Stores keys into the latest version, each replacing a stored one only when `prefer` says so, and
   * moves the etag when anything changed — one unit of work. */
  putKeys(userId: string, version: string, keys: BackedUpKey[], prefer: PreferKey): Promise<KeyWriteResult>;
  /** Keys of a version, optionally of one room or one session. */
  getKeys(userId: string, version: string, roomId?: string, sessionId?: string): Promise<BackedUpKey[]>;
  /** Deletes keys of a version (all, a room's, or one session) and moves the etag when any went. */
  deleteKeys(userId: string, version: string, roomId?: string, sessionId?: string): Promise<KeyWriteResult>;
}
