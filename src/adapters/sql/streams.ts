import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** Advances a stream by one inside the caller's transaction and returns the new position. The row
 * update serialises concurrent writers on every engine, so positions are unique and increasing. */
export async function nextStreamPosition(trx: Transaction<Database> | Kysely<Database>, stream: string) {
  const row = await trx
    .updateTable("stream_positions")
    .set((eb) => ({ position: eb("position", "+", 1) }))
    .where("stream", "=", stream)
    .returning("position")
    .executeTakeFirstOrThrow();
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
