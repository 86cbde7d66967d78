import type { Kysely } from "kysely";
import { sql } from "kysely";

/** The room of each relation, so a room's threads are listed from an index (GET /threads) rather
 * than by scanning every thread of every room. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("event_relations")
    .addColumn("room_id", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await sql`update event_relations set room_id = coalesce((select e.room_id from events e where e.event_id = event_relations.event_id), '')`.execute(
    db,
  );
  await db.schema
    .createIndex("event_relations_room")
    .on("event_relations")
    .columns(["room_id", "rel_type", "stream_ordering"])
    .execute();
}
