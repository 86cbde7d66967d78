import type { Kysely, Selectable } from "kysely";
import type { PresenceRepository, PresenceState, StoredPresence } from "../../ports/store/presence.js";
import type { Database, PresenceTable } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

const toPresence = (r: Selectable<PresenceTable>): StoredPresence => ({
  userId: r.user_id,
  state: r.state as PresenceState,
  statusMsg: r.status_msg,
  lastActiveTs: Number(r.last_active_ts),
  lastSyncTs: Number(r.last_sync_ts),
  currentlyActive: Number(r.currently_active) === 1,
  streamId: Number(r.stream_id),
});

export function sqlPresence(db: Kysely<Database>): PresenceRepository {
  return {
    async put(p) {
      return db.transaction().execute(async (trx) => {
        const streamId = await nextStreamPosition(trx, "presence");
        const values = {
          state: p.state,
          status_msg: p.statusMsg,
          last_active_ts: p.lastActiveTs,
          last_sync_ts: p.lastSyncTs,
          currently_active: p.currentlyActive ? 1 : 0,
          stream_id: streamId,
        };
        await trx
          .insertInto("presence")
          .values({ user_id: p.userId, ...values })
          .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
          .execute();
        return streamId;
      });
    },

    async get(userId) {
      const row = await db
        .selectFrom("presence")
        .selectAll()
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row ? toPresence(row) : undefined;
    },

    async changedSince(since, userIds) {
      const query = db.selectFrom("presence").selectAll().where("stream_id", ">", since).orderBy("stream_id");
      if (userIds === undefined) return (await query.execute()).map(toPresence);
      const out: StoredPresence[] = [];
      // Chunked: SQLite limits bound parameters per statement.
      for (let i = 0; i < userIds.length; i += 500) {
        const rows = await query.where("user_id", "in", userIds.slice(i, i + 500)).execute();
        out.push(...rows.map(toPresence));
      }
      return out.sort((a, b) => a.streamId - b.streamId);
    },

    async notOffline() {
      const rows = await db.selectFrom("presence").selectAll().where("state", "!=", "offline").execute();
      return rows.map(toPresence);
    },
  };
}
