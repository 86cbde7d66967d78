import { type Kysely, type Selectable, sql } from "kysely";
import type { NewUser, UserRecord, UserRepository } from "../../ports/store/users.js";
import type { Database, UsersTable } from "./schema.js";

const toRecord = (r: Selectable<UsersTable>): UserRecord => ({
  userId: r.user_id,
  localpart: r.localpart,
  passwordHash: r.password_hash,
  isAdmin: Boolean(r.is_admin),
  isGuest: Boolean(r.is_guest),
  deactivated: Boolean(r.deactivated),
  createdTs: Number(r.created_ts),
  displayname: r.displayname,
  avatarUrl: r.avatar_url,
});

export function sqlUsers(db: Kysely<Database>): UserRepository {
  return {
    async create(user: NewUser) {
      const result = await db
        .insertInto("users")
        .values({
          user_id: user.userId,
          localpart: user.localpart,
          password_hash: user.passwordHash,
          is_admin: user.isAdmin ? 1 : 0,
          is_guest: user.isGuest ? 1 : 0,
          deactivated: 0,
          created_ts: user.createdTs,
          displayname: user.displayname,
          avatar_url: null,
        })
        .onConflict((oc) => oc.column("user_id").doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async get(userId) {
      const row = await db.selectFrom("users").selectAll().where("user_id", "=", userId).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list({ limit, from }) {
      let q = db.selectFrom("users").selectAll().orderBy("user_id").limit(limit);
      if (from) q = q.where("user_id", ">", from);
      return (await q.execute()).map(toRecord);
    },
    async setPasswordHash(userId, passwordHash) {
      await db
        .updateTable("users")
        .set({ password_hash: passwordHash })
        .where("user_id", "=", userId)
        .execute();
    },
    async setAdmin(userId, isAdmin) {
      await db
        .updateTable("users")
        .set({ is_admin: isAdmin ? 1 : 0 })
        .where("user_id", "=", userId)
        .execute();
    },
    async setProfile(userId, fields) {
      const set: { displayname?: string | null; avatar_url?: string | null } = {};
      if (fields.displayname !== undefined) set.displayname = fields.displayname;
      if (fields.avatarUrl !== undefined) set.avatar_url = fields.avatarUrl;
      if (Object.keys(set).length === 0) return;
      await db.updateTable("users").set(set).where("user_id", "=", userId).execute();
    },
    async deactivate(userId) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ deactivated: 1, password_hash: null })
          .where("user_id", "=", userId)
          .execute();
        await trx.deleteFrom("access_tokens").where("user_id", "=", userId).execute();
        await trx.deleteFrom("refresh_tokens").where("user_id", "=", userId).execute();
        await trx.deleteFrom("devices").where("user_id", "=", userId).execute();
      });
    },
    async search(term, limit) {
      const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await db
        .selectFrom("users")
        .selectAll()
        .where("deactivated", "=", 0)
        .where(
          sql<boolean>`(lower(user_id) like ${pattern} escape '\\' or lower(displayname) like ${pattern} escape '\\')`,
        )
        .orderBy("user_id")
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
  };
}
