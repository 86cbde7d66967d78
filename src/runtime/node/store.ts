import { openPostgresStore } from "../../adapters/postgres/open.js";
import { openSqliteStore } from "../../adapters/sqlite/open.js";
import type { Store } from "../../ports/store.js";

/** Opens the store a `database` setting names: `sqlite:PATH` (or `sqlite::memory:`) or a postgres URL. */
export function openStore(database: string): Promise<Store> {
  if (database.startsWith("sqlite:")) return openSqliteStore(database.slice("sqlite:".length));
  return openPostgresStore(database);
}
