import { type Kysely, sql } from "kysely";

/**
 * Push (spec: client-server-api "Push Notifications"): users' own push rules with their order,
 * their changes to server-default rules, the `push_rules` stream, pushers, and per event and user
 * the actions push rules chose (like Synapse's event_push_actions), for counts and /notifications.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("push_rules")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("rule_id", "text", (c) => c.notNull())
    // Higher is more important within the user's rules of a kind.
    .addColumn("priority", "integer", (c) => c.notNull())
    .addColumn("conditions", "text")
    .addColumn("pattern", "text")
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("push_rules_pk", ["user_id", "kind", "rule_id"])
    .execute();
  await db.schema
    .createTable("push_rule_defaults")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("rule_id", "text", (c) => c.notNull())
    .addColumn("enabled", "integer")
    .addColumn("actions", "text")
    .addPrimaryKeyConstraint("push_rule_defaults_pk", ["user_id", "rule_id"])
    .execute();
  await db.schema
    .createTable("push_rules_stream")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("stream_id", "bigint", (c) => c.notNull())
    .execute();
  await sql`insert into stream_positions (stream, position) values ('push_rules', 0)`.execute(db);

  await db.schema
    .createTable("pushers")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("pushkey", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("app_display_name", "text", (c) => c.notNull())
    .addColumn("device_display_name", "text", (c) => c.notNull())
    .addColumn("profile_tag", "text")
    .addColumn("lang", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("pushers_pk", ["app_id", "pushkey", "user_id"])
    .execute();
  await db.schema.createIndex("pushers_user").on("pushers").columns(["user_id"]).execute();

  await db.schema
    .createTable("event_push_actions")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("thread_id", "text", (c) => c.notNull())
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("highlight", "integer", (c) => c.notNull())
    .addColumn("ts", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_push_actions_pk", ["user_id", "event_id"])
    .execute();
  await db.schema
    .createIndex("event_push_actions_user_room")
    .on("event_push_actions")
    .columns(["user_id", "room_id", "thread_id"])
    .execute();
}
