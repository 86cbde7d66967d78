import { type Kysely, sql } from "kysely";

/**
 * End-to-end encryption keys (spec: client-server-api "End-to-End Encryption"). Every key is stored
 * as the exact JSON the client uploaded. Device-keyed tables name the device by (user_id, device_id)
 * so deleting a device deletes its keys. `device_lists_stream` records, per position, whose device
 * list changed; sync and /keys/changes read it. `dehydrated_devices` (MSC3814) holds at most one
 * device per user, whose device row has no access token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("e2e_device_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("key_json", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_device_keys_pk", ["user_id", "device_id"])
    .execute();
  await db.schema
    .createTable("e2e_one_time_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("key_json", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_one_time_keys_pk", ["user_id", "device_id", "algorithm", "key_id"])
    .execute();
  await db.schema
    .createTable("e2e_fallback_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("key_json", "text", (c) => c.notNull())
    .addColumn("used", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_fallback_keys_pk", ["user_id", "device_id", "algorithm"])
    .execute();
  await db.schema
    .createTable("e2e_cross_signing_keys")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("key_type", "text", (c) => c.notNull())
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("key_json", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_cross_signing_keys_pk", ["user_id", "key_type"])
    .execute();
  await db.schema
    .createTable("e2e_signatures")
    .addColumn("target_user_id", "text", (c) => c.notNull())
    .addColumn("target_key_id", "text", (c) => c.notNull())
    .addColumn("signer_user_id", "text", (c) => c.notNull())
    .addColumn("signer_key_id", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("e2e_signatures_pk", [
      "target_user_id",
      "target_key_id",
      "signer_user_id",
      "signer_key_id",
    ])
    .execute();
  await db.schema
    .createTable("device_lists_stream")
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("device_lists_stream_pk", ["stream_id", "user_id"])
    .execute();
  await db.schema
    .createTable("dehydrated_devices")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("device_data", "text", (c) => c.notNull())
    .execute();
  await sql`insert into stream_positions (stream, position) values ('device_lists', 0)`.execute(db);
}
