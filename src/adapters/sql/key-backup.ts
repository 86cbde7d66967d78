import type { Kysely, Selectable, Transaction } from "kysely";
import type { BackedUpKey, KeyBackupRepository, KeyWriteResult } from "../../ports/store/key-backup.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Database, E2eRoomKeysTable } from "./schema.js";

const toKey = (r: Selectable<E2eRoomKeysTable>): BackedUpKey => ({
  roomId: r.room_id,
  sessionId: r.session_id,
  firstMessageIndex: Number(r.first_message_index),
  forwardedCount: Number(r.forwarded_count),
  isVerified: r.is_verified === 1,
  sessionData: JSON.parse(r.session_data) as JsonObject,
});

/** Backup versions are decimal integers; anything else names no version. */
const parseVersion = (version: string): number | undefined =>
  /^[0-9]{1,15}$/.test(version) ? Number(version) : undefined;

async function latest(trx: Transaction<Database> | Kysely<Database>, userId: string) {
  return trx
    .selectFrom("e2e_room_keys_versions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("deleted", "=", 0)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
}

async function countKeys(trx: Transaction<Database>, userId: string, version: number): Promise<number> {
  const row = await trx
    .selectFrom("e2e_room_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function sqlKeyBackup(db: Kysely<Database>): KeyBackupRepository {
  /** Runs a write on a live version; bumps the etag when `write` reports a change. */
  const writeKeys = (
    userId: string,
    version: string,
    mustBeLatest: boolean,
    write: (trx: Transaction<Database>, version: number) => Promise<boolean>,
  ): Promise<KeyWriteResult> =>
    db.transaction().execute(async (trx) => {
      const number = parseVersion(version);
      // As Synapse: writing to any version but the latest is "wrong version" (the client's backup
      // was replaced), not "not found"; with no backup at all it is "not found".
      if (mustBeLatest) {
        const newest = await latest(trx, userId);
        if (!newest) return { status: "not_found" };
        if (Number(newest.version) !== number)
          return { status: "wrong_version", current: String(newest.version) };
      }
      if (number === undefined) return { status: "not_found" };
      const row = await trx
        .selectFrom("e2e_room_keys_versions")
        .select(["etag", "deleted"])
        .where("user_id", "=", userId)
        .where("version", "=", number)
        .executeTakeFirst();
      if (!row || row.deleted === 1) return { status: "not_found" };
      let etag = Number(row.etag);
      if (await write(trx, number)) {
        etag += 1;
        await trx
          .updateTable("e2e_room_keys_versions")
          .set({ etag })
          .where("user_id", "=", userId)
          .where("version", "=", number)
          .execute();
      }
      return { status: "ok", etag: String(etag), count: await countKeys(trx, userId, number) };
    });

  return {
    async createVersion(userId, algorithm, authData) {
      return db.transaction().execute(async (trx) => {
        const max = await trx
          .selectFrom("e2e_room_keys_versions")
          .select((eb) => eb.fn.max("version").as("v"))
          .where("user_id", "=", userId)
          .executeTakeFirst();
        const version = Number(max?.v ?? 0) + 1;
        await trx
          .insertInto("e2e_room_keys_versions")
          .values({
            user_id: userId,
            version,
            algorithm,
            auth_data: JSON.stringify(authData),
            etag: 0,
            deleted: 0,
          })
          .execute();
        return String(version);
      });
    },

    async getVersion(userId, version) {
      return db.transaction().execute(async (trx) => {
        let row: Selectable<Database["e2e_room_keys_versions"]> | undefined;
        if (version === undefined) {
          row = await latest(trx, userId);
        } else {
          const number = parseVersion(version);
          if (number === undefined) return undefined;
          row = await trx
            .selectFrom("e2e_room_keys_versions")
            .selectAll()
            .where("user_id", "=", userId)
            .where("version", "=", number)
            .where("deleted", "=", 0)
            .executeTakeFirst();
        }
        if (!row) return undefined;
        return {
          version: String(row.version),
          algorithm: row.algorithm,
          authData: JSON.parse(row.auth_data) as JsonObject,
          etag: String(row.etag),
          count: await countKeys(trx, userId, Number(row.version)),
        };
      });
    },

    async updateVersion(userId, version, authData) {
      const number = parseVersion(version);
      if (number === undefined) return false;
      const result = await db
        .updateTable("e2e_room_keys_versions")
        .set({ auth_data: JSON.stringify(authData) })
        .where("user_id", "=", userId)
        .where("version", "=", number)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async deleteVersion(userId, version) {
      const number = parseVersion(version);
      if (number === undefined) return false;
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable("e2e_room_keys_versions")
          .set({ deleted: 1 })
          .where("user_id", "=", userId)
          .where("version", "=", number)
          .where("deleted", "=", 0)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await trx
          .deleteFrom("e2e_room_keys")
          .where("user_id", "=", userId)
          .where("version", "=", number)
          .execute();
        return true;
      });
    },

    putKeys(userId, version, keys, prefer) {
      return writeKeys(userId, version, true, async (trx, number) => {
        let changed = false;
        for (const key of keys) {
          const existing = await trx
            .selectFrom("e2e_room_keys")
            .selectAll()
            .where("user_id", "=", userId)
            .where("version", "=", number)
            .where("room_id", "=", key.roomId)
            .where("session_id", "=", key.sessionId)
            .executeTakeFirst();
          if (existing && !prefer(toKey(existing), key)) continue;
          const values = {
            first_message_index: key.firstMessageIndex,
            forwarded_count: key.forwardedCount,
            is_verified: key.isVerified ? 1 : 0,
            session_data: JSON.stringify(key.sessionData),
          };
          await trx
            .insertInto("e2e_room_keys")
            .values({
              user_id: userId,
              version: number,
              room_id: key.roomId,
              session_id: key.sessionId,
              ...values,
            })
            .onConflict((oc) =>
              oc.columns(["user_id", "version", "room_id", "session_id"]).doUpdateSet(values),
            )
            .execute();
          changed = true;
        }
        return changed;
      });
    },

    async getKeys(userId, version, roomId, sessionId) {
      const number = parseVersion(version);
      if (number === undefined) return [];
      let query = db
        .selectFrom("e2e_room_keys")
        .selectAll()
        .where("user_id", "=", userId)
        .where("version", "=", number);
      if (roomId !== undefined) query = query.where("room_id", "=", roomId);
      if (sessionId !== undefined) query = query.where("session_id", "=", sessionId);
      const rows = await query.orderBy("room_id").orderBy("session_id").execute();
      return rows.map(toKey);
    },

    deleteKeys(userId, version, roomId, sessionId) {
      return writeKeys(userId, version, false, async (trx, number) => {
        let query = trx
          .deleteFrom("e2e_room_keys")
          .where("user_id", "=", userId)
          .where("version", "=", number);
        if (roomId !== undefined) query = query.where("room_id", "=", roomId);
        if (sessionId !== undefined) query = query.where("session_id", "=", sessionId);
        const result = await query.executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
  };
}
