/**
 * Statements built with Kysely once and then run with new parameters. Building and compiling a
 * query costs about as much as SQLite running it (profiled on the send path), so the statements
 * run for every event compile once: the first run compiles the query with a marker in place of
 * each named parameter and records where each one landed among the compiled parameters; later
 * runs send the same SQL text (which the SQLite adapter keeps prepared, see
 * adapters/sqlite/statement-cache.ts) with the values in that order.
 */
import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type Transaction } from "kysely";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Stands for the named parameter in the query being built (typed to fit any column). */
export type Param<K extends string> = (name: K) => never;

const MARKER = "\u0000lattice-param:";

/**
 * Runs a compiled statement at once and returns its result, or returns undefined when it cannot
 * run now and the statement must take Kysely's way. SQLite's engine is synchronous: a statement of
 * the transaction that holds the one connection, or any statement while no transaction is open,
 * run on the spot is as isolated as one that waited its turn for the connection, without Kysely's
 * connection mutex, async frames and promises around it (a third of what the long-poll wake-up
 * path allocated, and its young-generation collections with it).
 */
export type DirectRunner = (
  sql: string,
  parameters: readonly unknown[],
  inOwnTransaction: boolean,
) => QueryResult<unknown> | undefined;

/** By the engine's adapter, which a Kysely instance shares with its transactions. */
const directRunners = new WeakMap<object, DirectRunner>();

/** Lets prepared statements on `db` and its transactions run through `runner`. */
export function runPreparedDirectly(db: Kysely<Database>, runner: DirectRunner): void {
  directRunners.set(db.getExecutor().adapter, runner);
}

/** Runs compiled SQL directly where the engine allows it, else through Kysely. */
async function runCompiled<Row>(
  db: Db,
  sql: string,
  parameters: readonly unknown[],
): Promise<QueryResult<Row>> {
  const direct = directRunners.get(db.getExecutor().adapter)?.(sql, parameters, db.isTransaction);
  if (direct) return direct as QueryResult<Row>;
  return db.executeQuery<Row>(CompiledQuery.raw(sql, [...parameters]));
}

export class Prepared<K extends string, Row = unknown> {
  /** By the engine's adapter: one statement may serve SQLite and PostgreSQL stores in one process. */
  private readonly compiledFor = new WeakMap<object, { sql: string; order: K[] }>();

  /** `build` must give every value it takes from `p` as a query parameter (values, comparisons),
   * and the same query shape whatever the values. */
  constructor(private readonly build: (db: Db, p: Param<K>) => Compilable<Row>) {}

  async execute(db: Db, args: Record<K, unknown>): Promise<QueryResult<Row>> {
    const engine = db.getExecutor().adapter;
    let compiled = this.compiledFor.get(engine);
    if (!compiled) {
      const query = this.build(db, ((name: K) => `${MARKER}${name}`) as Param<K>).compile();
      const order = query.parameters.map((value) => {
        if (typeof value !== "string" || !value.startsWith(MARKER))
          throw new Error(`prepared statement with a constant parameter: ${query.sql}`);
        return value.slice(MARKER.length) as K;
      });
      compiled = { sql: query.sql, order };
      this.compiledFor.set(engine, compiled);
    }
    return runCompiled<Row>(
      db,
      compiled.sql,
      compiled.order.map((name) => args[name]),
    );
  }
}

/**
 * A multi-row insert of `columns`, compiled once per row count: `rows` are inserted in chunks of
 * at most `chunk` (bounded parameters per statement on every engine), each one statement.
 */
export class PreparedInsert<C extends string> {
  private readonly bySize = new Map<number, string>();

  constructor(
    private readonly columns: readonly C[],
    private readonly build: (db: Db, rows: Array<Record<C, never>>) => Compilable,
    private readonly chunk = 100,
  ) {}

  async execute(db: Db, rows: ReadonlyArray<Record<C, unknown>>): Promise<void> {
    for (let i = 0; i < rows.length; i += this.chunk) {
      const part = rows.slice(i, i + this.chunk);
      let sql = this.bySize.get(part.length);
      if (sql === undefined) {
        // Markers give each row and column its own parameter; check they come out row by row.
        const markers = part.map((_, r) =>
          Object.fromEntries(this.columns.map((c) => [c, `${MARKER}${r}:${c}`])),
        ) as Array<Record<C, never>>;
        const query = this.build(db, markers).compile();
        const expected = part.flatMap((_, r) => this.columns.map((c) => `${MARKER}${r}:${c}`));
        if (query.parameters.length !== expected.length || query.parameters.some((v, j) => v !== expected[j]))
          throw new Error(`prepared insert with unexpected parameters: ${query.sql}`);
        sql = query.sql;
        this.bySize.set(part.length, sql);
      }
      const parameters: unknown[] = [];
      for (const row of part) for (const c of this.columns) parameters.push(row[c]);
      await runCompiled(db, sql, parameters);
    }
  }
}
