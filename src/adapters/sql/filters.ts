import type { Kysely } from "kysely";
import type { FilterRepository } from "../../ports/store/filters.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Database } from "./schema.js";

export function sqlFilters(db: Kysely<Database>): FilterRepository {
  return {
    async create(userId, filter) {
      // Retried because two concurrent creates for one user may pick the same next ID.
      for (let attempt = 0; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            const row = await trx
              .selectFrom("filters")
              .select((eb) => eb.fn.max("filter_id").as("max"))
              .where("user_id", "=", userId)
              .executeTakeFirst();
            const filterId = Number(row?.max ?? -1) + 1;
            await trx
              .insertInto("filters")
              .values({ user_id: userId, filter_id: filterId, filter_json: JSON.stringify(filter) })
              .execute();
            return String(filterId);
          });
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    },
    async get(userId, filterId) {
      if (!/^\d{1,15}$/.test(filterId)) return undefined;
      const row = await db
        .selectFrom("filters")
        .select("filter_json")
        .where("user_id", "=", userId)
        .where("filter_id", "=", Number(filterId))
        .executeTakeFirst();
      return row ? (JSON.parse(row.filter_json) as JsonObject) : undefined;
    },
  };
}
