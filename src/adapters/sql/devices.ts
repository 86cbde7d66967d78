import type { Kysely, Selectable } from "kysely";
import type { DeviceRecord, DeviceRepository } from "../../ports/store/devices.js";
import type { Database, DevicesTable } from "./schema.js";

const toRecord = (r: Selectable<DevicesTable>): DeviceRecord => ({
  userId: r.user_id,
  deviceId: r.device_id,
  displayName: r.display_name,
  lastSeenTs: r.last_seen_ts === null ? null : Number(r.last_seen_ts),
  lastSeenIp: r.last_seen_ip,
  createdTs: Number(r.created_ts),
});

/** Everything keyed by a device, deleted with it: its tokens, its to-device inbox and send
 * transactions. */
const DEVICE_TABLES = [
  "access_tokens",
  "refresh_tokens",
  "device_inbox",
  "to_device_txns",
  "devices",
] as const;

export function sqlDevices(db: Kysely<Database>): DeviceRepository {
  return {
    async createSession(s) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("devices")
          .values({
            user_id: s.userId,
            device_id: s.deviceId,
            display_name: s.displayName,
            last_seen_ts: s.nowTs,
            last_seen_ip: null,
            created_ts: s.nowTs,
          })
          .onConflict((oc) =>
            oc
              .columns(["user_id", "device_id"])
              .doUpdateSet(
                s.displayName === null
                  ? { last_seen_ts: s.nowTs }
                  : { display_name: s.displayName, last_seen_ts: s.nowTs },
              ),
          )
          .execute();
        await trx
          .insertInto("access_tokens")
          .values({
            token_hash: s.accessTokenHash,
            user_id: s.userId,
            device_id: s.deviceId,
            expires_ts: s.accessExpiresTs,
            created_ts: s.nowTs,
          })
          .execute();
        if (s.refreshTokenHash) {
          await trx
            .insertInto("refresh_tokens")
            .values({
              token_hash: s.refreshTokenHash,
              user_id: s.userId,
              device_id: s.deviceId,
              created_ts: s.nowTs,
            })
            .execute();
        }
      });
    },
    async ownerOfAccessToken(tokenHash) {
      const row = await db
        .selectFrom("access_tokens")
        .select(["user_id", "device_id", "expires_ts"])
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        userId: row.user_id,
        deviceId: row.device_id,
        expiresTs: row.expires_ts === null ? null : Number(row.expires_ts),
      };
    },
    async rotateRefreshToken(oldRefreshHash, next) {
      return db.transaction().execute(async (trx) => {
        const old = await trx
          .deleteFrom("refresh_tokens")
          .where("token_hash", "=", oldRefreshHash)
          .returning(["user_id", "device_id"])
          .executeTakeFirst();
        if (!old) return undefined;
        const nowTs = Date.now();
        // The access tokens issued with the old refresh token die with it: one live session per device.
        await trx
          .deleteFrom("access_tokens")
          .where("user_id", "=", old.user_id)
          .where("device_id", "=", old.device_id)
          .where("expires_ts", "is not", null)
          .execute();
        await trx
          .insertInto("access_tokens")
          .values({
            token_hash: next.accessTokenHash,
            user_id: old.user_id,
            device_id: old.device_id,
            expires_ts: next.accessExpiresTs,
            created_ts: nowTs,
          })
          .execute();
        await trx
          .insertInto("refresh_tokens")
          .values({
            token_hash: next.refreshTokenHash,
            user_id: old.user_id,
            device_id: old.device_id,
            created_ts: nowTs,
          })
          .execute();
        return { userId: old.user_id, deviceId: old.device_id };
      });
    },
    async deleteAccessToken(tokenHash) {
      await db.deleteFrom("access_tokens").where("token_hash", "=", tokenHash).execute();
    },
    async list(userId) {
      const rows = await db
        .selectFrom("devices")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("device_id")
        .execute();
      return rows.map(toRecord);
    },
    async get(userId, deviceId) {
      const row = await db
        .selectFrom("devices")
        .selectAll()
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async setDisplayName(userId, deviceId, displayName) {
      const result = await db
        .updateTable("devices")
        .set({ display_name: displayName })
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(userId, deviceId, ip, nowTs) {
      await db
        .updateTable("devices")
        .set({ last_seen_ts: nowTs, last_seen_ip: ip })
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .execute();
    },
    async delete(userId, deviceIds) {
      if (deviceIds.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const table of DEVICE_TABLES) {
          await trx
            .deleteFrom(table)
            .where("user_id", "=", userId)
            .where("device_id", "in", deviceIds)
            .execute();
        }
      });
    },
    async deleteAllExcept(userId, keepDeviceId) {
      await db.transaction().execute(async (trx) => {
        for (const table of DEVICE_TABLES) {
          let q = trx.deleteFrom(table).where("user_id", "=", userId);
          if (keepDeviceId !== undefined) q = q.where("device_id", "!=", keepDeviceId);
          await q.execute();
        }
      });
    },
  };
}
