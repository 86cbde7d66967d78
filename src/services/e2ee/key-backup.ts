/**
 * Server-side key backups (spec: client-server-api "Server-side key backups"): encrypted megolm
 * sessions the client stores under a backup version. The server never decrypts them; it keeps the
 * best copy of each session by the spec's rules and reports `count` and an `etag` that changes
 * whenever the stored keys change.
 */
import type {
  BackedUpKey,
  BackupVersion,
  KeyBackupRepository,
  KeyWriteResult,
} from "../../ports/store/key-backup.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { invalidParam, MatrixError, notFound } from "../errors.js";

/**
 * "Storing keys": a key replaces the stored one when it is verified and the stored one is not;
 * otherwise (same verification) when its first_message_index is lower; and with equal indexes when
 * its forwarded_count is lower. An unverified key never replaces a verified one.
 */
export function preferKey(existing: BackedUpKey, incoming: BackedUpKey): boolean {
  if (incoming.isVerified !== existing.isVerified) return incoming.isVerified;
  if (incoming.firstMessageIndex !== existing.firstMessageIndex) {
    return incoming.firstMessageIndex < existing.firstMessageIndex;
  }
  return incoming.forwardedCount < existing.forwardedCount;
}

export interface BackupVersionInfo {
  algorithm: string;
  auth_data: JsonObject;
  count: number;
  etag: string;
  version: string;
}

export interface KeyBackupData {
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: JsonObject;
}

export type RoomKeys = Record<string, { sessions: Record<string, KeyBackupData> }>;

const noVersion = () => notFound("No current backup version");
const unknownVersion = () => notFound("Unknown backup version");

export class KeyBackup {
  constructor(private readonly backups: KeyBackupRepository) {}

  createVersion(requester: Requester, algorithm: string, authData: JsonObject): Promise<string> {
    return this.backups.createVersion(requester.userId, algorithm, authData);
  }

  /** The named version, or the latest one. */
  async getVersion(requester: Requester, version?: string): Promise<BackupVersionInfo> {
    const found = await this.backups.getVersion(requester.userId, version);
    if (!found) throw version === undefined ? noVersion() : unknownVersion();
    return toInfo(found);
  }

  /** Only auth_data may change; the algorithm must stay the one the version was created with. */
  async updateVersion(
    requester: Requester,
    version: string,
    body: { algorithm: string; auth_data: JsonObject; version?: string | undefined },
  ): Promise<void> {
    if (body.version !== undefined && body.version !== version) {
      throw invalidParam("version in the body does not match the version in the path");
    }
    const found = await this.backups.getVersion(requester.userId, version);
    if (!found) throw unknownVersion();
    if (found.algorithm !== body.algorithm) throw invalidParam("algorithm does not match the backup version");
    if (!(await this.backups.updateVersion(requester.userId, version, body.auth_data)))
      throw unknownVersion();
  }

  async deleteVersion(requester: Requester, version: string): Promise<void> {
    if (!(await this.backups.deleteVersion(requester.userId, version))) throw unknownVersion();
  }

  async putKeys(
    requester: Requester,
    version: string,
    rooms: RoomKeys,
  ): Promise<{ count: number; etag: string }> {
    const keys: BackedUpKey[] = [];
    for (const [roomId, room] of Object.entries(rooms)) {
      for (const [sessionId, data] of Object.entries(room.sessions)) {
        keys.push({
          roomId,
          sessionId,
          firstMessageIndex: data.first_message_index,
          forwardedCount: data.forwarded_count,
          isVerified: data.is_verified,
          sessionData: data.session_data,
        });
      }
    }
    return written(await this.backups.putKeys(requester.userId, version, keys, preferKey));
  }

  async getKeys(requester: Requester, version: string, roomId?: string, sessionId?: string) {
    if (!(await this.backups.getVersion(requester.userId, version))) throw unknownVersion();
    const keys = await this.backups.getKeys(requester.userId, version, roomId, sessionId);
    const rooms: RoomKeys = {};
    for (const k of keys) {
      rooms[k.roomId] ??= { sessions: {} };
      (rooms[k.roomId] as { sessions: Record<string, KeyBackupData> }).sessions[k.sessionId] = {
        first_message_index: k.firstMessageIndex,
        forwarded_count: k.forwardedCount,
        is_verified: k.isVerified,
        session_data: k.sessionData,
      };
    }
    return rooms;
  }

  async deleteKeys(requester: Requester, version: string, roomId?: string, sessionId?: string) {
    return written(await this.backups.deleteKeys(requester.userId, version, roomId, sessionId));
  }
}

function toInfo(v: BackupVersion): BackupVersionInfo {
  return { algorithm: v.algorithm, auth_data: v.authData, count: v.count, etag: v.etag, version: v.version };
}

function written(result: KeyWriteResult): { count: number; etag: string } {
  if (result.status === "not_found") throw unknownVersion();
  if (result.status === "wrong_version") {
    throw new MatrixError(403, "M_WRONG_ROOM_KEYS_VERSION", "Wrong backup version", {
      current_version: result.current,
    });
  }
  return { count: result.count, etag: result.etag };
}
