import { type Kysely, SqliteAdapter, sql } from "kysely";

/**
 * SQLite indexes events for full-text search after their transaction has committed rather than
 * inside it (src/adapters/sql/search-index.ts, "Fts5SearchIndex"): FTS5 rewrote four pages of its
 * own on every sent message, in the commit the sender and every long-polling /sync were waiting
 * for. This is how far the index has followed the events table. Events stored before this
 * migration were indexed in their own transactions, so it starts at the newest of them.
 *
 * PostgreSQL still indexes inside the event's transaction (its processes share the database, and a
 * position that one of them moves could pass events another has not committed yet): no table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await db.schema
    .createTable("search_position")
    .addColumn("position", "bigint", (c) => c.notNull())
    .execute();
  await sql`insert into search_position (position) select coalesce(max(stream_ordering), 0) from events`.execute(
    db,
  );
}
