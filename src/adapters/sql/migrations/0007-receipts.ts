import { type Kysely, sql } from "kysely";

/** Read receipts (spec: client-server-api "Receipts"): the latest receipt per room, user, receipt
 * type and thread ("" = unthreaded), each write a position on the `receipts` stream. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("receipts")
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("receipt_type", "text", (c) => c.notNull())
    .addColumn("thread_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("ts", "bigint", (c) => c.notNull())
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("receipts_pk", ["room_id", "user_id", "receipt_type", "thread_id"])
    .execute();
  await db.schema.createIndex("receipts_stream").on("receipts").columns(["stream_id"]).execute();
  await db.schema
    .createIndex("receipts_room_stream")
    .on("receipts")
    .columns(["room_id", "stream_id"])
    .execute();
  await sql`insert into stream_positions (stream, position) values ('receipts', 0)`.execute(db);
}
