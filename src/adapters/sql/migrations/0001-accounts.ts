import { type Kysely, sql } from "kysely";

/** Accounts, devices and tokens, account data, filters, registration tokens, the server signing key,
 * short-lived shared values and stream positions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("localpart", "text", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("is_guest", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("deactivated", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addColumn("displayname", "text")
    .addColumn("avatar_url", "text")
    .execute();

  await db.schema
    .createTable("devices")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("display_name", "text")
    .addColumn("last_seen_ts", "bigint")
    .addColumn("last_seen_ip", "text")
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("devices_pk", ["user_id", "device_id"])
    .execute();

  await db.schema
    .createTable("access_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("expires_ts", "bigint")
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("access_tokens_device")
    .on("access_tokens")
    .columns(["user_id", "device_id"])
    .execute();

  await db.schema
    .createTable("refresh_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("refresh_tokens_device")
    .on("refresh_tokens")
    .columns(["user_id", "device_id"])
    .execute();

  await db.schema
    .createTable("account_data")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_data_pk", ["user_id", "room_id", "type"])
    .execute();
  await db.schema
    .createIndex("account_data_stream")
    .on("account_data")
    .columns(["user_id", "stream_id"])
    .execute();

  await db.schema
    .createTable("filters")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("filter_id", "bigint", (c) => c.notNull())
    .addColumn("filter_json", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("filters_pk", ["user_id", "filter_id"])
    .execute();

  await db.schema
    .createTable("registration_tokens")
    .addColumn("token", "text", (c) => c.primaryKey())
    .addColumn("uses_allowed", "bigint")
    .addColumn("pending", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("completed", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("expiry_ts", "bigint")
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("server_signing_keys")
    .addColumn("key_id", "text", (c) => c.primaryKey())
    .addColumn("seed", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("key_value")
    .addColumn("namespace", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("expires_ts", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("key_value_pk", ["namespace", "key"])
    .execute();

  await db.schema
    .createTable("stream_positions")
    .addColumn("stream", "text", (c) => c.primaryKey())
    .addColumn("position", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into stream_positions (stream, position) values ('account_data', 0)`.execute(db);
}
