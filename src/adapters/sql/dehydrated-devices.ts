import type { Kysely, Transaction } from "kysely";
import type { DehydratedDeviceRepository } from "../../ports/store/e2ee-keys.js";
import type { JsonObject } from "../../protocol/json.js";
import { deleteKeysOfDevices, recordDeviceListChange } from "./e2ee-keys.js";
import type { Database } from "./schema.js";

/** Deletes a device row with everything keyed by it (it has no tokens: nobody logs in as it). */
async function deleteDevice(trx: Transaction<Database>, userId: string, deviceId: string) {
  await deleteKeysOfDevices(trx, userId, [deviceId]);
  for (const table of ["device_inbox", "devices"] as const) {
    await trx.deleteFrom(table).where("user_id", "=", userId).where("device_id", "=", deviceId).execute();
  }
}

export function sqlDehydratedDevices(db: Kysely<Database>): DehydratedDeviceRepository {
  return {
    async put(userId, device, displayName, nowTs) {
      return db.transaction().execute(async (trx) => {
        const previous = await trx
          .selectFrom("dehydrated_devices")
          .select("device_id")
          .where("user_id", "=", userId)
          .executeTakeFirst();
        const clash = await trx
          .selectFrom("devices")
          .select("device_id")
          .where("user_id", "=", userId)
          .where("device_id", "=", device.deviceId)
          .executeTakeFirst();
        if (clash && clash.device_id !== previous?.device_id) return undefined;
        if (previous) await deleteDevice(trx, userId, previous.device_id);
        await trx
          .insertInto("devices")
          .values({
            user_id: userId,
            device_id: device.deviceId,
            display_name: displayName,
            last_seen_ts: null,
            last_seen_ip: null,
            created_ts: nowTs,
          })
          .execute();
        const deviceData = JSON.stringify(device.deviceData);
        await trx
          .insertInto("dehydrated_devices")
          .values({ user_id: userId, device_id: device.deviceId, device_data: deviceData })
          .onConflict((oc) =>
            oc.column("user_id").doUpdateSet({ device_id: device.deviceId, device_data: deviceData }),
          )
          .execute();
        if (previous) await recordDeviceListChange(trx, [userId]);
        return { replaced: previous?.device_id ?? null };
      });
    },

    async get(userId) {
      // The device may have been deleted through DELETE /devices: then there is none.
      const row = await db
        .selectFrom("dehydrated_devices as h")
        .innerJoin("devices as d", (j) =>
          j.onRef("d.user_id", "=", "h.user_id").onRef("d.device_id", "=", "h.device_id"),
        )
        .select(["h.device_id", "h.device_data"])
        .where("h.user_id", "=", userId)
        .executeTakeFirst();
      return row
        ? { deviceId: row.device_id, deviceData: JSON.parse(row.device_data) as JsonObject }
        : undefined;
    },

    async delete(userId) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom("dehydrated_devices")
          .where("user_id", "=", userId)
          .returning("device_id")
          .executeTakeFirst();
        if (!row) return undefined;
        const existed = await trx
          .selectFrom("devices")
          .select("device_id")
          .where("user_id", "=", userId)
          .where("device_id", "=", row.device_id)
          .executeTakeFirst();
        if (!existed) return undefined;
        await deleteDevice(trx, userId, row.device_id);
        await recordDeviceListChange(trx, [userId]);
        return row.device_id;
      });
    },
  };
}
