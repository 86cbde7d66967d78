import type { Kysely } from "kysely";

/** Device list tracking asks which memberships changed between two positions of the events stream
 * (services/e2ee/device-lists.ts): an index on (type, stream_ordering) answers that without reading
 * every room's state. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("current_state_type_stream")
    .on("current_state")
    .columns(["type", "stream_ordering"])
    .execute();
}
