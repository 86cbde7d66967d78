import type { Kysely } from "kysely";

/**
 * Server-side key backups (spec: client-server-api "Server-side key backups"). Versions are numbered
 * per user; a deleted version keeps its row (marked deleted) so its number is never reused. `etag`
 * is a counter moved by every change to the version's keys.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("e2e_room_keys_versions")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("auth_data", "text", (c) => c.notNull())
    .addColumn("etag", "bigint", (c) => c.notNull())
    .addColumn("deleted", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_room_keys_versions_pk", ["user_id", "version"])
    .execute();
  await db.schema
    .createTable("e2e_room_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("first_message_index", "bigint", (c) => c.notNull())
    .addColumn("forwarded_count", "bigint", (c) => c.notNull())
    .addColumn("is_verified", "integer", (c) => c.notNull())
    .addColumn("session_data", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_room_keys_pk", ["user_id", "version", "room_id", "session_id"])
    .execute();
}
