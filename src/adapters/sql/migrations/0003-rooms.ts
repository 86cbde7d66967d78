import { type Kysely, sql } from "kysely";

/** Rooms, events (each stored once, as its signed PDU), current state, state history, forward
 * extremities, client transaction IDs and relations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rooms")
    .addColumn("room_id", "text", (c) => c.primaryKey())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("creator", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addColumn("is_public", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("event_id", "text", (c) => c.primaryKey())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("stream_ordering", "bigint", (c) => c.notNull().unique())
    .addColumn("depth", "bigint", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("state_key", "text")
    .addColumn("sender", "text", (c) => c.notNull())
    .addColumn("origin_server_ts", "bigint", (c) => c.notNull())
    .addColumn("json", "text", (c) => c.notNull())
    .addColumn("redacted_by", "text")
    .addColumn("replaces_state", "text")
    .execute();
  await db.schema
    .createIndex("events_room_stream")
    .on("events")
    .columns(["room_id", "stream_ordering"])
    .execute();

  await db.schema
    .createTable("current_state")
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("state_key", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("membership", "text")
    .addColumn("stream_ordering", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("current_state_pk", ["room_id", "type", "state_key"])
    .execute();
  await db.schema
    .createIndex("current_state_member")
    .on("current_state")
    .columns(["type", "state_key", "room_id"])
    .execute();

  // Every change of current state, in stream order: the state at any stream position is the latest
  // entry per (type, state_key) at or before it.
  await db.schema
    .createTable("state_history")
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("state_key", "text", (c) => c.notNull())
    .addColumn("stream_ordering", "bigint", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("state_history_pk", ["room_id", "type", "state_key", "stream_ordering"])
    .execute();

  await db.schema
    .createTable("forward_extremities")
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("depth", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("forward_extremities_pk", ["room_id", "event_id"])
    .execute();

  await db.schema
    .createTable("event_txns")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("txn_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_txns_pk", ["user_id", "device_id", "txn_id"])
    .execute();

  await db.schema
    .createTable("event_relations")
    .addColumn("event_id", "text", (c) => c.primaryKey())
    .addColumn("relates_to", "text", (c) => c.notNull())
    .addColumn("rel_type", "text", (c) => c.notNull())
    .addColumn("aggregation_key", "text")
    .addColumn("stream_ordering", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("event_relations_target")
    .on("event_relations")
    .columns(["relates_to", "rel_type", "stream_ordering"])
    .execute();

  await sql`insert into stream_positions (stream, position) values ('events', 0)`.execute(db);
}
