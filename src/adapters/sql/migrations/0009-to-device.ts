import { type Kysely, sql } from "kysely";

/** Send-to-device inboxes (spec: client-server-api "Send-to-Device messaging"): a message stays until
 * its device syncs past it. All rows of one send share a position on the `to_device` stream. The
 * transaction table makes a retried send deliver nothing twice. Both tables name the device by
 * (user_id, device_id) so deleting a device deletes its rows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("device_inbox")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .addColumn("sender", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("device_inbox_pk", ["user_id", "device_id", "stream_id"])
    .execute();
  await db.schema
    .createTable("to_device_txns")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("txn_id", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("to_device_txns_pk", ["user_id", "device_id", "txn_id"])
    .execute();
  await sql`insert into stream_positions (stream, position) values ('to_device', 0)`.execute(db);
}
