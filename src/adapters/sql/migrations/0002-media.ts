import type { Kysely } from "kysely";

/** Media metadata and thumbnails; the bytes live in the MediaStore, addressed by SHA-256. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("media")
    .addColumn("server_name", "text", (c) => c.notNull())
    .addColumn("media_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("content_type", "text")
    .addColumn("upload_name", "text")
    .addColumn("sha256", "text")
    .addColumn("size", "bigint")
    .addColumn("created_ts", "bigint", (c) => c.notNull())
    .addColumn("uploaded_ts", "bigint")
    .addColumn("last_access_ts", "bigint", (c) => c.notNull())
    .addColumn("expires_ts", "bigint")
    .addColumn("quarantined_by", "text")
    .addPrimaryKeyConstraint("media_pk", ["server_name", "media_id"])
    .execute();
  await db.schema.createIndex("media_user").on("media").columns(["user_id", "created_ts"]).execute();
  await db.schema.createIndex("media_sha256").on("media").column("sha256").execute();
  await db.schema.createIndex("media_last_access").on("media").column("last_access_ts").execute();

  await db.schema
    .createTable("media_thumbnails")
    .addColumn("server_name", "text", (c) => c.notNull())
    .addColumn("media_id", "text", (c) => c.notNull())
    .addColumn("width", "integer", (c) => c.notNull())
    .addColumn("height", "integer", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("animated", "integer", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("media_thumbnails_pk", [
      "server_name",
      "media_id",
      "width",
      "height",
      "method",
      "animated",
    ])
    .execute();
  await db.schema.createIndex("media_thumbnails_sha256").on("media_thumbnails").column("sha256").execute();
}
