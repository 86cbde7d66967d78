/**
 * Statements with value lists (`in (...)`) compiled once per list length, for the reads every /sync
 * runs (see prepared.ts: building and compiling a query with Kysely costs about as much as SQLite
 * running a small one). Each list is padded to the next power of two by repeating its last value,
 * which changes nothing for `in (...)` and for lists read pairwise (item i of one with item i of
 * another), so a handful of compiled statements serve every length: a user in 50 rooms no longer
 * compiles the initial sync's reads on every request.
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
  constructor(private readonly build: (db: Db, p: Param<string>, list: ListParam) => Compilable<Row>) {}

  execute(
    db: Db,
    values: Record<string, unknown>,
    lists: Record<string, readonly unknown[]>,
  ): Promise<QueryResult<Row>> {
    const names = Object.keys(lists);
    const lengths = names.map((name) => paddedLength((lists[name] as readonly unknown[]).length));
    const key = lengths.join(",");
    let prepared = this.byLengths.get(key);
    if (!prepared) {
      prepared = new Prepared<string, Row>((q, p) =>
        this.build(q, p, (name) =>
          Array.from({ length: lengths[names.indexOf(name)] as number }, (_, i) => p(`${name}\u0001${i}`)),
        ),
      );
      this.byLengths.set(key, prepared);
    }
    const args: Record<string, unknown> = { ...values };
    names.forEach((name, n) => {
      const list = lists[name] as readonly unknown[];
      for (let i = 0; i < (lengths[n] as number); i++)
        args[`${name}\u0001${i}`] = list[Math.min(i, list.length - 1)];
    });
    return prepared.execute(db, args);
  }
}

/** The next power of two (an empty list stays empty). */
function paddedLength(length: number): number {
  return length <= 1 ? length : 2 ** Math.ceil(Math.log2(length));
}
