import type { Kysely, Selectable } from "kysely";
import type { DirectoryRepository, ReportRecord } from "../../ports/store/directory.js";
import type { ContentReportsTable, Database } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

const toReport = (r: Selectable<ContentReportsTable>): ReportRecord => ({
  id: Number(r.id),
  kind: r.kind as ReportRecord["kind"],
  reporter: r.reporter,
  roomId: r.room_id,
  eventId: r.event_id,
  targetUserId: r.target_user_id,
  reason: r.reason,
  score: r.score === null ? null : Number(r.score),
  createdTs: Number(r.created_ts),
});

export function sqlDirectory(db: Kysely<Database>): DirectoryRepository {
  const insertAlias = async (alias: string, roomId: string | null, creator: string, createdTs: number) => {
    const result = await db
      .insertInto("room_aliases")
      .values({ alias, room_id: roomId, creator, created_ts: createdTs })
      .onConflict((oc) => oc.column("alias").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  };

  return {
    createAlias: insertAlias,

    reserveAlias: (alias, creator, createdTs) => insertAlias(alias, null, creator, createdTs),

    async bindReservedAlias(alias, roomId) {
      await db
        .updateTable("room_aliases")
        .set({ room_id: roomId })
        .where("alias", "=", alias)
        .where("room_id", "is", null)
        .execute();
    },

    async releaseReservedAlias(alias) {
      await db.deleteFrom("room_aliases").where("alias", "=", alias).where("room_id", "is", null).execute();
    },

    async getAlias(alias) {
      const row = await db
        .selectFrom("room_aliases")
        .selectAll()
        .where("alias", "=", alias)
        .where("room_id", "is not", null)
        .executeTakeFirst();
      if (!row || row.room_id === null) return undefined;
      return {
        alias: row.alias,
        roomId: row.room_id,
        creator: row.creator,
        createdTs: Number(row.created_ts),
      };
    },

    async deleteAlias(alias) {
      const result = await db
        .deleteFrom("room_aliases")
        .where("alias", "=", alias)
        .where("room_id", "is not", null)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async aliasesOf(roomId) {
      const rows = await db
        .selectFrom("room_aliases")
        .select("alias")
        .where("room_id", "=", roomId)
        .orderBy("alias")
        .execute();
      return rows.map((r) => r.alias);
    },

    async moveAliases(fromRoomId, toRoomId) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom("room_aliases")
          .select("alias")
          .where("room_id", "=", fromRoomId)
          .orderBy("alias")
          .execute();
        await trx
          .updateTable("room_aliases")
          .set({ room_id: toRoomId })
          .where("room_id", "=", fromRoomId)
          .execute();
        return rows.map((r) => r.alias);
      });
    },

    async publishedRoomIds() {
      const rows = await db
        .selectFrom("rooms")
        .select("room_id")
        .where("is_public", "=", 1)
        .orderBy("room_id")
        .execute();
      return rows.map((r) => r.room_id);
    },

    async addReport(report) {
      return db.transaction().execute(async (trx) => {
        const id = await nextStreamPosition(trx, "content_reports");
        await trx
          .insertInto("content_reports")
          .values({
            id,
            kind: report.kind,
            reporter: report.reporter,
            room_id: report.roomId,
            event_id: report.eventId,
            target_user_id: report.targetUserId,
            reason: report.reason,
            score: report.score,
            created_ts: report.createdTs,
          })
          .execute();
        return id;
      });
    },

    async listReports({ limit, before, kind }) {
      let q = db.selectFrom("content_reports").selectAll().orderBy("id", "desc").limit(limit);
      if (before !== undefined) q = q.where("id", "<", before);
      if (kind !== undefined) q = q.where("kind", "=", kind);
      return (await q.execute()).map(toReport);
    },
  };
}
