import type { Store } from "../../ports/store.js";

/** Opens the store a `database` setting names: `sqlite:PATH` (or `sqlite::memory:`) or a postgres URL.
 * Only the adapter in use is loaded: pg costs ~15 MB and ~50 ms that an SQLite server never needs,
 * and better-sqlite3 a native module a PostgreSQL deployment never needs. */
export async function openStore(database: string): Promise<Store> {
  if (database.startsWith("sqlite:")) {
    const { openSqliteStore } = await import("../../adapters/sqlite/open.js");
    return openSqliteStore(database.slice("sqlite:".length));
  }
  const { openPostgresStore } = await import("../../adapters/postgres/open.js");
  return openPostgresStore(database);
}
