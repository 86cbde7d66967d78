/**
 * Statements with value lists (`in (...)`) compiled once per list length, for the reads every /sync
 * runs (see prepared.ts: building and compiling a query with Kysely costs about as much as SQLite
 * running a small one). Lists up to `maxLength` values keep their compiled statement; longer ones
 * are compiled on each run, as before.
 */
import type { Compilable, Kysely, QueryResult, Transaction } from "kysely";
import { type Param, Prepared } from "./prepared.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The markers standing for a list's values in the query being built. */
export type ListParam = (name: string) => never[];

export class PreparedLists<Row> {
  private readonly byLengths = new Map<string, Prepared<string, Row>>();

  /** `build` must give every value as a parameter (`p` for one, `list` for a list's values). */
  constructor(
    private readonly build: (db: Db, p: Param<string>, list: ListParam) => Compilable<Row>,
    private readonly maxLength = 16,
  ) {}

  execute(
    db: Db,
    values: Record<string, unknown>,
    lists: Record<string, readonly unknown[]>,
  ): Promise<QueryResult<Row>> {
    const names = Object.keys(lists);
    const key = names.map((name) => (lists[name] as readonly unknown[]).length).join(",");
    let prepared = this.byLengths.get(key);
    if (!prepared) {
      prepared = new Prepared<string, Row>((q, p) =>
        this.build(q, p, (name) => (lists[name] as readonly unknown[]).map((_, i) => p(`${name}\u0001${i}`))),
      );
      if (names.every((name) => (lists[name] as readonly unknown[]).length <= this.maxLength)) {
        this.byLengths.set(key, prepared);
      }
    }
    const args: Record<string, unknown> = { ...values };
    for (const name of names) {
      (lists[name] as readonly unknown[]).forEach((value, i) => {
        args[`${name}\u0001${i}`] = value;
      });
    }
    return prepared.execute(db, args);
  }
}
