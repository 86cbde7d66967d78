import type { Kysely, Selectable } from "kysely";
import type { ReceiptRepository, StoredReceipt } from "../../ports/store/receipts.js";
import type { Database, ReceiptsTable } from "./schema.js";
import { currentStreamPosition, nextStreamPosition } from "./streams.js";

/** Unthreaded receipts are stored with thread "" so the primary key has no NULL in it. */
const UNTHREADED = "";

const toReceipt = (r: Selectable<ReceiptsTable>): StoredReceipt => {
  const receipt: StoredReceipt = {
    roomId: r.room_id,
    userId: r.user_id,
    receiptType: r.receipt_type,
    eventId: r.event_id,
    ts: Number(r.ts),
    streamId: Number(r.stream_id),
  };
  if (r.thread_id !== UNTHREADED) receipt.threadId = r.thread_id;
  return receipt;
};

export function sqlReceipts(db: Kysely<Database>): ReceiptRepository {
  return {
    async put(r) {
      return db.transaction().execute(async (trx) => {
        const streamId = await nextStreamPosition(trx, "receipts");
        const row = {
          room_id: r.roomId,
          user_id: r.userId,
          receipt_type: r.receiptType,
          thread_id: r.threadId ?? UNTHREADED,
          event_id: r.eventId,
          ts: r.ts,
          stream_id: streamId,
        };
        await trx
          .insertInto("receipts")
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(["room_id", "user_id", "receipt_type", "thread_id"])
              .doUpdateSet({ event_id: r.eventId, ts: r.ts, stream_id: streamId }),
          )
          .execute();
        return streamId;
      });
    },

    async get(roomId, userId, receiptType, threadId) {
      const row = await db
        .selectFrom("receipts")
        .selectAll()
        .where("room_id", "=", roomId)
        .where("user_id", "=", userId)
        .where("receipt_type", "=", receiptType)
        .where("thread_id", "=", threadId ?? UNTHREADED)
        .executeTakeFirst();
      return row ? toReceipt(row) : undefined;
    },

    async changedSince(roomIds, since) {
      if (roomIds.length === 0) return [];
      const out: StoredReceipt[] = [];
      // Chunked: SQLite limits bound parameters per statement.
      for (let i = 0; i < roomIds.length; i += 500) {
        const rows = await db
          .selectFrom("receipts")
          .selectAll()
          .where("room_id", "in", roomIds.slice(i, i + 500))
          .where("stream_id", ">", since)
          .orderBy("stream_id")
          .execute();
        out.push(...rows.map(toReceipt));
      }
      return out.sort((a, b) => a.streamId - b.streamId);
    },

    currentPosition: () => currentStreamPosition(db, "receipts"),
  };
}
