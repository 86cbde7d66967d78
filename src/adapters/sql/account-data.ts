import type { Kysely } from "kysely";
import type { AccountDataRepository } from "../../ports/store/account-data.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Database } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

export function sqlAccountData(db: Kysely<Database>): AccountDataRepository {
  return {
    async put(userId, roomId, type, content) {
      return db.transaction().execute(async (trx) => {
        const streamId = await nextStreamPosition(trx, "account_data");
        const row = {
          user_id: userId,
          room_id: roomId,
          type,
          content: JSON.stringify(content),
          stream_id: streamId,
        };
        await trx
          .insertInto("account_data")
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(["user_id", "room_id", "type"])
              .doUpdateSet({ content: row.content, stream_id: streamId }),
          )
          .execute();
        return streamId;
      });
    },
    async get(userId, roomId, type) {
      const row = await db
        .selectFrom("account_data")
        .select("content")
        .where("user_id", "=", userId)
        .where("room_id", "=", roomId)
        .where("type", "=", type)
        .executeTakeFirst();
      return row ? (JSON.parse(row.content) as JsonObject) : undefined;
    },
    async changedSince(userId, since) {
      const rows = await db
        .selectFrom("account_data")
        .selectAll()
        .where("user_id", "=", userId)
        .where("stream_id", ">", since)
        .orderBy("stream_id")
        .execute();
      return rows.map((r) => ({
        roomId: r.room_id,
        type: r.type,
        content: JSON.parse(r.content) as JsonObject,
        streamId: Number(r.stream_id),
      }));
    },
  };
}
