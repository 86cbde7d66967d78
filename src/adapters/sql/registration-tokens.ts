import type { Kysely, Selectable } from "kysely";
import type {
  RegistrationTokenRecord,
  RegistrationTokenRepository,
} from "../../ports/store/registration-tokens.js";
import type { Database, RegistrationTokensTable } from "./schema.js";

const toRecord = (r: Selectable<RegistrationTokensTable>): RegistrationTokenRecord => ({
  token: r.token,
  usesAllowed: r.uses_allowed === null ? null : Number(r.uses_allowed),
  pending: Number(r.pending),
  completed: Number(r.completed),
  expiryTs: r.expiry_ts === null ? null : Number(r.expiry_ts),
  createdTs: Number(r.created_ts),
});

export function sqlRegistrationTokens(db: Kysely<Database>): RegistrationTokenRepository {
  return {
    async create(t) {
      const result = await db
        .insertInto("registration_tokens")
        .values({
          token: t.token,
          uses_allowed: t.usesAllowed,
          pending: t.pending,
          completed: t.completed,
          expiry_ts: t.expiryTs,
          created_ts: t.createdTs,
        })
        .onConflict((oc) => oc.column("token").doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async get(token) {
      const row = await db
        .selectFrom("registration_tokens")
        .selectAll()
        .where("token", "=", token)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list() {
      return (await db.selectFrom("registration_tokens").selectAll().orderBy("created_ts").execute()).map(
        toRecord,
      );
    },
    async delete(token) {
      const result = await db.deleteFrom("registration_tokens").where("token", "=", token).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async consume(token, nowTs) {
      // One conditional UPDATE: the database decides, so two racing registrations cannot both take
      // the last use.
      const result = await db
        .updateTable("registration_tokens")
        .set((eb) => ({ completed: eb("completed", "+", 1) }))
        .where("token", "=", token)
        .where((eb) => eb.or([eb("uses_allowed", "is", null), eb("completed", "<", eb.ref("uses_allowed"))]))
        .where((eb) => eb.or([eb("expiry_ts", "is", null), eb("expiry_ts", ">", nowTs)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
