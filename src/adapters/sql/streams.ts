import { type Kysely, sql, type Transaction } from "kysely";
import { Prepared } from "./prepared.js";
import { PreparedLists } from "./prepared-lists.js";
import type { Database } from "./schema.js";

// Run for every event stored and every sync: compiled once (see prepared.ts).
const advance = new Prepared<"stream", { position: number }>((q, p) =>
  q
    .updateTable("stream_positions")
    .set({ position: sql<number>`position + 1` })
    .where("stream", "=", p("stream"))
    .returning("position"),
);
const positionsOf = new PreparedLists<{ stream: string; position: number }>((q, _p, list) =>
  q.selectFrom("stream_positions").select(["stream", "position"]).where("stream", "in", list("streams")),
);

/** Advances a stream by one inside the caller's transaction and returns the new position. The row
 * update serialises concurrent writers on every engine, so positions are unique and increasing. */
export async function nextStreamPosition(trx: Transaction<Database> | Kysely<Database>, stream: string) {
  const [row] = (await advance.execute(trx, { stream })).rows;
  if (!row) throw new Error(`no stream named ${stream}`);
  return Number(row.position);
}

export async function currentStreamPosition(db: Kysely<Database>, stream: string): Promise<number> {
  const row = await db
    .selectFrom("stream_positions")
    .select("position")
    .where("stream", "=", stream)
    .executeTakeFirst();
  return Number(row?.position ?? 0);
}

/**
 * Stream positions read together: every `current(stream)` asked within one turn of the event loop
 * (a sync reads all of its streams at once) is answered by a single statement.
 */
export function batchedStreamPositions(db: Kysely<Database>): (stream: string) => Promise<number> {
  let pending: Map<string, Array<(position: number) => void>> | undefined;
  let failed: Array<(error: unknown) => void> = [];
  return (stream) =>
    new Promise<number>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        failed = [];
        queueMicrotask(async () => {
          const batch = pending as Map<string, Array<(position: number) => void>>;
          const rejects = failed;
          pending = undefined;
          try {
            const { rows } = await positionsOf.execute(db, {}, { streams: [...batch.keys()] });
            const positions = new Map(rows.map((r) => [r.stream, Number(r.position)]));
            for (const [name, waiters] of batch) for (const done of waiters) done(positions.get(name) ?? 0);
          } catch (error) {
            for (const fail of rejects) fail(error);
          }
        });
      }
      const waiters = pending.get(stream) ?? [];
      waiters.push(resolve);
      pending.set(stream, waiters);
      failed.push(reject);
    });
}
