import { type Kysely, sql } from "kysely";

/** Room aliases (a null room ID is a reservation by createRoom) and content reports. The public
 * room directory flag is `rooms.is_public` (0003-rooms). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("room_aliases")
    .addColumn("alias", "text", (c) => c.primaryKey())
    .addColumn("room_id", "text")
    .addColumn("creator", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("room_aliases_room").on("room_aliases").column("room_id").execute();

  await db.schema
    .createTable("content_reports")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("reporter", "text", (c) => c.notNull())
    .addColumn("room_id", "text")
    .addColumn("event_id", "text")
    .addColumn("target_user_id", "text")
    .addColumn("reason", "text")
    .addColumn("score", "integer")
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("content_reports_room").on("content_reports").column("room_id").execute();
  // Report IDs come from a stream row, the one sequence every engine (D1 included) shares.
  await sql`insert into stream_positions (stream, position) values ('content_reports', 0)`.execute(db);
}
