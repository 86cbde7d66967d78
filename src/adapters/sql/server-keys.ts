import type { Kysely } from "kysely";
import type { ServerKeyRepository } from "../../ports/store/server-keys.js";
import type { Database } from "./schema.js";

export function sqlServerKeys(db: Kysely<Database>): ServerKeyRepository {
  const current = async () => {
    const row = await db
      .selectFrom("server_signing_keys")
      .selectAll()
      .orderBy("created_ts", "desc")
      .orderBy("key_id")
      .executeTakeFirst();
    return row ? { keyId: row.key_id, seed: row.seed, createdTs: Number(row.created_ts) } : undefined;
  };
  return {
    current,
    async storeIfAbsent(key) {
      // The primary key makes a racing second insert a no-op; whichever key was stored first wins.
      const existing = await current();
      if (existing) return existing;
      await db
        .insertInto("server_signing_keys")
        .values({ key_id: key.keyId, seed: key.seed, created_ts: key.createdTs })
        .onConflict((oc) => oc.column("key_id").doNothing())
        .execute();
      return (await current()) ?? key;
    },
  };
}
