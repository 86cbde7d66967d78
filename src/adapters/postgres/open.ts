import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Store } from "../../ports/store.js";
import { postgresJsonText } from "../sql/json-text.js";
import type { Database } from "../sql/schema.js";
import { tsvectorSearchIndex } from "../sql/search-index.js";
import { createSqlStore, migrate, queryCounter } from "../sql/sql-store.js";

// bigint (int8) columns hold epoch-ms timestamps and stream positions, all below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** Connects to PostgreSQL and migrates the schema (the Migrator takes a lock, so racing processes
 * migrate once). */
export async function openPostgresStore(
  url: string,
  options: { maxConnections?: number } = {},
): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  const counter = queryCounter();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: counter.log });
  await migrate(db);
  return createSqlStore(db, {
    searchIndex: tsvectorSearchIndex,
    jsonText: postgresJsonText,
    queryCount: counter.count,
  });
}
