import type { QueryResult, SqliteDatabase, SqliteStatement } from "kysely";

/** How many distinct statements stay prepared; `in (...)` lists of varying length make new ones. */
const MAX_STATEMENTS = 1000;

/**
 * The database as Kysely's SqliteDialect sees it, with each statement prepared once per SQL text:
 * Kysely prepares every query it runs, and better-sqlite3's prepare costs as much as running a
 * small query (profiled on the send path: a quarter of its SQL time). A statement is reused only
 * after its previous run returned (Kysely runs `all`/`run` to completion on its one connection and
 * this server never streams SQLite queries), so no statement is busy when it is reused.
 */
export function withStatementCache(db: SqliteDatabase, onStatement: () => void = () => {}): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      // Kysely prepares once per run: this is where each statement run is seen.
      onStatement();
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** One statement run to completion, with the result Kysely's SQLite driver would give. */
export function runStatement(
  db: SqliteDatabase,
  sql: string,
  parameters: readonly unknown[],
): QueryResult<unknown> {
  const statement = db.prepare(sql);
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}
