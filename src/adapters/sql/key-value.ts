import type { Kysely } from "kysely";
import type { KeyValueRepository } from "../../ports/store/key-value.js";
import type { JsonValue } from "../../protocol/json.js";
import type { Database } from "./schema.js";

export function sqlKeyValue(db: Kysely<Database>): KeyValueRepository {
  return {
    async get(namespace, key, nowTs) {
      const row = await db
        .selectFrom("key_value")
        .select(["value", "expires_ts"])
        .where("namespace", "=", namespace)
        .where("key", "=", key)
        .executeTakeFirst();
      if (!row || Number(row.expires_ts) <= nowTs) return undefined;
      return JSON.parse(row.value) as JsonValue;
    },
    async put(namespace, key, value, expiresTs) {
      const row = { namespace, key, value: JSON.stringify(value), expires_ts: expiresTs };
      await db
        .insertInto("key_value")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["namespace", "key"]).doUpdateSet({ value: row.value, expires_ts: expiresTs }),
        )
        .execute();
    },
    async delete(namespace, key) {
      await db.deleteFrom("key_value").where("namespace", "=", namespace).where("key", "=", key).execute();
    },
    async putIfAbsent(namespace, key, value, expiresTs, nowTs) {
      const row = { namespace, key, value: JSON.stringify(value), expires_ts: expiresTs };
      const result = await db
        .insertInto("key_value")
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(["namespace", "key"])
            .doUpdateSet({ value: row.value, expires_ts: expiresTs })
            .where("key_value.expires_ts", "<=", nowTs),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}
