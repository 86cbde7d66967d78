import { type Kysely, PostgresAdapter, SqliteAdapter, sql } from "kysely";

/**
 * Full-text search over room events (spec: client-server-api "Server Side Search"), one row per
 * searchable event keyed by its stream ordering, plus an index for `/timestamp_to_event`.
 *
 * Full-text indexes are engine features, so this migration branches on the dialect: an FTS5
 * virtual table on SQLite (and D1, which is SQLite), a tsvector column with a GIN index on
 * PostgreSQL. The adapter's SearchIndex (src/adapters/sql/search-index.ts) is the only reader.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) {
    // rowid = the event's stream ordering; `porter` stems English words as PostgreSQL's
    // 'english' configuration does.
    await sql`create virtual table event_search using fts5(value, room_id unindexed, key unindexed, tokenize = 'porter unicode61')`.execute(
      db,
    );
  } else if (adapter instanceof PostgresAdapter) {
    await db.schema
      .createTable("event_search")
      .addColumn("stream_ordering", "bigint", (c) => c.primaryKey())
      .addColumn("room_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("vector", sql`tsvector`, (c) => c.notNull())
      .execute();
    await sql`create index event_search_vector on event_search using gin (vector)`.execute(db);
    await db.schema
      .createIndex("event_search_room")
      .on("event_search")
      .columns(["room_id", "stream_ordering"])
      .execute();
  } else {
    throw new Error("0007-search: no full-text index for this SQL dialect");
  }

  await db.schema
    .createIndex("events_room_ts")
    .on("events")
    .columns(["room_id", "origin_server_ts"])
    .execute();
}
