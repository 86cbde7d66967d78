import type { Kysely } from "kysely";
import type { ToDeviceRepository } from "../../ports/store/to-device.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Database } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

export function sqlToDevice(db: Kysely<Database>): ToDeviceRepository {
  return {
    async send(s) {
      return db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto("to_device_txns")
          .values({ user_id: s.sender, device_id: s.senderDeviceId, txn_id: s.txnId, created_ts: s.nowTs })
          .onConflict((oc) => oc.columns(["user_id", "device_id", "txn_id"]).doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
        const position = await nextStreamPosition(trx, "to_device");
        const userIds: string[] = [];
        for (const [userId, byDevice] of Object.entries(s.messages)) {
          const named = Object.keys(byDevice).filter((d) => d !== "*");
          let query = trx.selectFrom("devices").select("device_id").where("user_id", "=", userId);
          if (!("*" in byDevice)) {
            if (named.length === 0) continue;
            query = query.where("device_id", "in", named);
          }
          const devices = (await query.execute()).map((r) => r.device_id);
          if (devices.length === 0) continue;
          const rows = devices.map((deviceId) => ({
            user_id: userId,
            device_id: deviceId,
            stream_id: position,
            sender: s.sender,
            type: s.type,
            content: JSON.stringify((byDevice[deviceId] ?? byDevice["*"]) as JsonObject),
          }));
          for (let i = 0; i < rows.length; i += 100) {
            await trx
              .insertInto("device_inbox")
              .values(rows.slice(i, i + 100))
              .execute();
          }
          userIds.push(userId);
        }
        return { position, userIds };
      });
    },

    async pending(userId, deviceId, after, upTo, limit) {
      const rows = await db
        .selectFrom("device_inbox")
        .select(["sender", "type", "content", "stream_id"])
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .where("stream_id", ">", after)
        .where("stream_id", "<=", upTo)
        .orderBy("stream_id")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        sender: r.sender,
        type: r.type,
        content: JSON.parse(r.content) as JsonObject,
        streamId: Number(r.stream_id),
      }));
    },

    async acknowledge(userId, deviceId, upTo) {
      await db
        .deleteFrom("device_inbox")
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .where("stream_id", "<=", upTo)
        .execute();
    },
  };
}
