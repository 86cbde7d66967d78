import { type Kysely, type Selectable, sql } from "kysely";
import type { MediaRecord, MediaRepository, ThumbnailRecord } from "../../ports/store/media.js";
import type { ThumbnailMethod } from "../../ports/thumbnailer.js";
import type { Database, MediaTable, MediaThumbnailsTable } from "./schema.js";

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

const toRecord = (r: Selectable<MediaTable>): MediaRecord => ({
  serverName: r.server_name,
  mediaId: r.media_id,
  userId: r.user_id,
  contentType: r.content_type,
  uploadName: r.upload_name,
  sha256: r.sha256,
  size: num(r.size),
  createdTs: Number(r.created_ts),
  uploadedTs: num(r.uploaded_ts),
  lastAccessTs: Number(r.last_access_ts),
  expiresTs: num(r.expires_ts),
  quarantinedBy: r.quarantined_by,
});

const toThumbnail = (r: Selectable<MediaThumbnailsTable>): ThumbnailRecord => ({
  width: Number(r.width),
  height: Number(r.height),
  method: r.method as ThumbnailMethod,
  animated: Boolean(r.animated),
  contentType: r.content_type,
  sha256: r.sha256,
  size: Number(r.size),
});

export function sqlMedia(db: Kysely<Database>): MediaRepository {
  const key = (serverName: string, mediaId: string) =>
    db.selectFrom("media").where("server_name", "=", serverName).where("media_id", "=", mediaId);
  return {
    async create(media) {
      const result = await db
        .insertInto("media")
        .values({
          server_name: media.serverName,
          media_id: media.mediaId,
          user_id: media.userId,
          content_type: media.upload?.contentType ?? null,
          upload_name: media.upload?.uploadName ?? null,
          sha256: media.upload?.sha256 ?? null,
          size: media.upload?.size ?? null,
          created_ts: media.createdTs,
          uploaded_ts: media.upload?.uploadedTs ?? null,
          last_access_ts: media.createdTs,
          expires_ts: media.upload ? null : (media.expiresTs ?? null),
          quarantined_by: null,
        })
        .onConflict((oc) => oc.columns(["server_name", "media_id"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async completeUpload(serverName, mediaId, upload) {
      const result = await db
        .updateTable("media")
        .set({
          content_type: upload.contentType,
          upload_name: upload.uploadName,
          sha256: upload.sha256,
          size: upload.size,
          uploaded_ts: upload.uploadedTs,
          last_access_ts: upload.uploadedTs,
          expires_ts: null,
        })
        .where("server_name", "=", serverName)
        .where("media_id", "=", mediaId)
        .where("sha256", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return "uploaded";
      return (await key(serverName, mediaId).select("media_id").executeTakeFirst()) ? "exists" : "missing";
    },
    async get(serverName, mediaId) {
      const row = await key(serverName, mediaId).selectAll().executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async countPending(userId, nowTs) {
      const row = await db
        .selectFrom("media")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("user_id", "=", userId)
        .where("sha256", "is", null)
        .where("expires_ts", ">", nowTs)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async touch(serverName, mediaId, nowTs) {
      await db
        .updateTable("media")
        .set({ last_access_ts: nowTs })
        .where("server_name", "=", serverName)
        .where("media_id", "=", mediaId)
        .where("last_access_ts", "<", nowTs)
        .execute();
    },
    async setQuarantined(serverName, mediaId, by) {
      const result = await db
        .updateTable("media")
        .set({ quarantined_by: by })
        .where("server_name", "=", serverName)
        .where("media_id", "=", mediaId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(serverName, mediaId) {
      return db.transaction().execute(async (trx) => {
        const media = await trx
          .deleteFrom("media")
          .where("server_name", "=", serverName)
          .where("media_id", "=", mediaId)
          .returning("sha256")
          .executeTakeFirst();
        if (!media) return undefined;
        const thumbnails = await trx
          .deleteFrom("media_thumbnails")
          .where("server_name", "=", serverName)
          .where("media_id", "=", mediaId)
          .returning("sha256")
          .execute();
        const blobs = [media.sha256, ...thumbnails.map((t) => t.sha256)];
        return [...new Set(blobs.filter((b): b is string => b !== null))];
      });
    },
    async listByUser(userId, { limit, offset }) {
      const rows = await db
        .selectFrom("media")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("created_ts", "desc")
        .orderBy("media_id")
        .limit(limit)
        .offset(offset)
        .execute();
      const count = await db
        .selectFrom("media")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return { media: rows.map(toRecord), total: Number(count.n) };
    },
    async putThumbnail(serverName, mediaId, t) {
      await db
        .insertInto("media_thumbnails")
        .values({
          server_name: serverName,
          media_id: mediaId,
          width: t.width,
          height: t.height,
          method: t.method,
          animated: t.animated ? 1 : 0,
          content_type: t.contentType,
          sha256: t.sha256,
          size: t.size,
        })
        .onConflict((oc) =>
          oc.columns(["server_name", "media_id", "width", "height", "method", "animated"]).doNothing(),
        )
        .execute();
    },
    async listThumbnails(serverName, mediaId) {
      const rows = await db
        .selectFrom("media_thumbnails")
        .selectAll()
        .where("server_name", "=", serverName)
        .where("media_id", "=", mediaId)
        .execute();
      return rows.map(toThumbnail);
    },
    async isBlobUsed(sha256) {
      const row = await db
        .selectFrom("media")
        .select(sql<number>`1`.as("x"))
        .where("sha256", "=", sha256)
        .union(db.selectFrom("media_thumbnails").select(sql<number>`1`.as("x")).where("sha256", "=", sha256))
        .executeTakeFirst();
      return row !== undefined;
    },
    async listExpired({ localServerName, localBefore, remoteBefore, nowTs, limit }) {
      const rows = await db
        .selectFrom("media")
        .select(["server_name", "media_id"])
        .where((eb) => {
          const ors = [eb.and([eb("sha256", "is", null), eb("expires_ts", "<=", nowTs)])];
          if (localBefore !== null) {
            ors.push(
              eb.and([eb("server_name", "=", localServerName), eb("last_access_ts", "<", localBefore)]),
            );
          }
          if (remoteBefore !== null) {
            ors.push(
              eb.and([eb("server_name", "!=", localServerName), eb("last_access_ts", "<", remoteBefore)]),
            );
          }
          return eb.or(ors);
        })
        .limit(limit)
        .execute();
      return rows.map((r) => ({ serverName: r.server_name, mediaId: r.media_id }));
    },
  };
}
