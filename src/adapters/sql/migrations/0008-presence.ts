import { type Kysely, sql } from "kysely";

/** The latest presence per local user (spec: client-server-api "Presence"), so it survives restarts;
 * each change is a position on the `presence` stream. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("presence")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("status_msg", "text")
    .addColumn("last_active_ts", "bigint", (c) => c.notNull())
    .addColumn("last_sync_ts", "bigint", (c) => c.notNull())
    .addColumn("currently_active", "integer", (c) => c.notNull())
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("presence_stream").on("presence").column("stream_id").execute();
  await db.schema.createIndex("presence_state").on("presence").column("state").execute();
  await sql`insert into stream_positions (stream, position) values ('presence', 0)`.execute(db);
}
