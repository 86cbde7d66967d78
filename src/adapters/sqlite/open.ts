import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Store } from "../../ports/store.js";
import { sqliteJsonText } from "../sql/json-text.js";
import { runPreparedDirectly } from "../sql/prepared.js";
import type { Database } from "../sql/schema.js";
import { fts5SearchIndex } from "../sql/search-index.js";
import { createSqlStore, migrate } from "../sql/sql-store.js";
import { runStatement, withStatementCache } from "./statement-cache.js";

/** Opens (creating if needed) a SQLite database file, or `:memory:`, migrated to the latest schema. */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers run while one writer commits; NORMAL sync is durable across process crashes
  // (a power loss may drop the last transactions, as in Synapse's SQLite mode).
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  // Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: the hot pages (stream positions,
  // index pages of event_push_actions, forward_extremities) are rewritten by every commit, and a
  // checkpoint copies each page once however often it changed, so rarer checkpoints copy far less
  // (send bench: a sixth of the server's CPU per event).
  sqlite.pragma("wal_autocheckpoint = 10000");
  // After a checkpoint the next commit starts the WAL again from its beginning. Kept at full size,
  // the file would then be overwritten in place, and SQLite's frames (24-byte header + page) do not
  // line up with the file system's pages: a page the OS has dropped from its cache is read back
  // from disk before each write. VMs that hand clean page cache back to the host do that within
  // seconds (measured on the bench machine: 10 MB gone in 30 s), and every commit then took 2.5 ms
  // instead of 0.25. Truncated at each restart, the WAL is only ever appended to.
  sqlite.pragma("journal_size_limit = 0");
  sqlite.pragma("foreign_keys = ON");
  // Counted where each statement is prepared for its run rather than through Kysely's `log` hook,
  // which wraps every query in two more async frames and a log record (an eighth of the memory
  // allocated on the long-poll wake-up path, so more frequent young-generation collections).
  let statements = 0;
  const cached = withStatementCache(sqlite, () => statements++);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  // While another's transaction is open on the one connection a statement waits for it: Kysely's way.
  runPreparedDirectly(db, (sql, parameters, inOwnTransaction) =>
    inOwnTransaction || !sqlite.inTransaction ? runStatement(cached, sql, parameters) : undefined,
  );
  await migrate(db);
  const searchIndex = fts5SearchIndex(db);
  // Events whose search indexing a crash or shutdown cut short (see search-index.ts).
  await searchIndex.catchUp();
  return createSqlStore(db, {
    searchIndex,
    jsonText: sqliteJsonText,
    queryCount: () => statements,
  });
}
