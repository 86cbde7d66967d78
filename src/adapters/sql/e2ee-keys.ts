import type { Kysely, Transaction } from "kysely";
import type {
  CrossSigningKeyType,
  E2eeKeyRepository,
  KeySignature,
  StoredCrossSigningKey,
} from "../../ports/store/e2ee-keys.js";
import type { JsonObject } from "../../protocol/json.js";
import { Prepared } from "./prepared.js";
import type { Database } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

export const DEVICE_LISTS_STREAM = "device_lists";

/** The key tables of a device, deleted with it. */
export const DEVICE_KEY_TABLES = ["e2e_device_keys", "e2e_one_time_keys", "e2e_fallback_keys"] as const;

const CHUNK = 100;

/** Appends the users to the device_lists stream at one new position. */
export async function recordDeviceListChange(
  trx: Transaction<Database> | Kysely<Database>,
  userIds: string[],
): Promise<number> {
  const position = await nextStreamPosition(trx, DEVICE_LISTS_STREAM);
  const unique = [...new Set(userIds)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    await trx
      .insertInto("device_lists_stream")
      .values(unique.slice(i, i + CHUNK).map((user_id) => ({ stream_id: position, user_id })))
      .execute();
  }
  return position;
}

/** Deletes the devices' keys and the signatures over them or made by them. */
export async function deleteKeysOfDevices(trx: Transaction<Database>, userId: string, deviceIds: string[]) {
  for (const table of DEVICE_KEY_TABLES) {
    await trx.deleteFrom(table).where("user_id", "=", userId).where("device_id", "in", deviceIds).execute();
  }
  await trx
    .deleteFrom("e2e_signatures")
    .where("target_user_id", "=", userId)
    .where("target_key_id", "in", deviceIds)
    .execute();
  await trx
    .deleteFrom("e2e_signatures")
    .where("signer_user_id", "=", userId)
    .where(
      "signer_key_id",
      "in",
      deviceIds.map((d) => `ed25519:${d}`),
    )
    .execute();
}

export function sqlE2eeKeys(db: Kysely<Database>): E2eeKeyRepository {
  // Every /sync reads the device's key counts, and an incremental one the memberships that moved:
  // compiled once (see prepared.ts).
  const oneTimeKeyCounts = new Prepared<"userId" | "deviceId", { algorithm: string; n: unknown }>((q, p) =>
    q
      .selectFrom("e2e_one_time_keys")
      .select((eb) => ["algorithm", eb.fn.countAll().as("n")])
      .where("user_id", "=", p("userId"))
      .where("device_id", "=", p("deviceId"))
      .groupBy("algorithm"),
  );
  const unusedFallbackKeys = new Prepared<"userId" | "deviceId" | "unused", { algorithm: string }>((q, p) =>
    q
      .selectFrom("e2e_fallback_keys")
      .select("algorithm")
      .where("user_id", "=", p("userId"))
      .where("device_id", "=", p("deviceId"))
      .where("used", "=", p("unused"))
      .orderBy("algorithm"),
  );
  const membershipChanges = new Prepared<
    "member" | "from" | "to",
    { room_id: string; state_key: string; membership: string | null }
  >((q, p) =>
    q
      .selectFrom("current_state")
      .select(["room_id", "state_key", "membership"])
      .where("type", "=", p("member"))
      .where("stream_ordering", ">", p("from"))
      .where("stream_ordering", "<=", p("to")),
  );

  return {
    async getDeviceKeys(userId, deviceId) {
      const row = await db
        .selectFrom("e2e_device_keys")
        .select("key_json")
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.key_json) as JsonObject) : undefined;
    },

    async setDeviceKeys(userId, deviceId, keys) {
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto("e2e_device_keys")
          .values({ user_id: userId, device_id: deviceId, key_json: JSON.stringify(keys) })
          .onConflict((oc) =>
            oc.columns(["user_id", "device_id"]).doUpdateSet({ key_json: JSON.stringify(keys) }),
          )
          .execute();
        return recordDeviceListChange(trx, [userId]);
      });
    },

    async queryDeviceKeys(query) {
      if (query.size === 0) return [];
      const rows = await db
        .selectFrom("e2e_device_keys as k")
        .innerJoin("devices as d", (j) =>
          j.onRef("d.user_id", "=", "k.user_id").onRef("d.device_id", "=", "k.device_id"),
        )
        .select(["k.user_id", "k.device_id", "k.key_json", "d.display_name"])
        .where((eb) =>
          eb.or(
            [...query].map(([userId, deviceIds]) =>
              deviceIds.length === 0
                ? eb("k.user_id", "=", userId)
                : eb.and([eb("k.user_id", "=", userId), eb("k.device_id", "in", deviceIds)]),
            ),
          ),
        )
        .orderBy("k.user_id")
        .orderBy("k.device_id")
        .execute();
      return rows.map((r) => ({
        userId: r.user_id,
        deviceId: r.device_id,
        keys: JSON.parse(r.key_json) as JsonObject,
        displayName: r.display_name,
      }));
    },

    async addOneTimeKeys(userId, deviceId, keys) {
      if (keys.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const conflicts: string[] = [];
        const fresh = [];
        for (let i = 0; i < keys.length; i += CHUNK) {
          const chunk = keys.slice(i, i + CHUNK);
          const existing = await trx
            .selectFrom("e2e_one_time_keys")
            .select(["algorithm", "key_id", "key_json"])
            .where("user_id", "=", userId)
            .where("device_id", "=", deviceId)
            .where(
              "key_id",
              "in",
              chunk.map((k) => k.keyId),
            )
            .execute();
          const stored = new Map(existing.map((r) => [`${r.algorithm}:${r.key_id}`, r.key_json]));
          for (const k of chunk) {
            const before = stored.get(`${k.algorithm}:${k.keyId}`);
            if (before === undefined) fresh.push(k);
            else if (before !== k.json) conflicts.push(`${k.algorithm}:${k.keyId}`);
          }
        }
        if (conflicts.length > 0) return conflicts;
        for (let i = 0; i < fresh.length; i += CHUNK) {
          await trx
            .insertInto("e2e_one_time_keys")
            .values(
              fresh.slice(i, i + CHUNK).map((k) => ({
                user_id: userId,
                device_id: deviceId,
                algorithm: k.algorithm,
                key_id: k.keyId,
                key_json: k.json,
              })),
            )
            // The same key twice in one upload.
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        return [];
      });
    },

    async oneTimeKeyCounts(userId, deviceId) {
      const { rows } = await oneTimeKeyCounts.execute(db, { userId, deviceId });
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.algorithm] = Number(r.n);
      return counts;
    },

    async setFallbackKeys(userId, deviceId, keys) {
      if (keys.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const k of keys) {
          const existing = await trx
            .selectFrom("e2e_fallback_keys")
            .select(["key_id", "key_json"])
            .where("user_id", "=", userId)
            .where("device_id", "=", deviceId)
            .where("algorithm", "=", k.algorithm)
            .executeTakeFirst();
          // Re-uploading the same key keeps its used flag (spec: the server must not hand out a
          // fallback key as unused again just because the client repeats it).
          if (existing && existing.key_id === k.keyId && existing.key_json === k.json) continue;
          await trx
            .insertInto("e2e_fallback_keys")
            .values({
              user_id: userId,
              device_id: deviceId,
              algorithm: k.algorithm,
              key_id: k.keyId,
              key_json: k.json,
              used: 0,
            })
            .onConflict((oc) =>
              oc
                .columns(["user_id", "device_id", "algorithm"])
                .doUpdateSet({ key_id: k.keyId, key_json: k.json, used: 0 }),
            )
            .execute();
        }
      });
    },

    async unusedFallbackKeyTypes(userId, deviceId) {
      const { rows } = await unusedFallbackKeys.execute(db, { userId, deviceId, unused: 0 });
      return rows.map((r) => r.algorithm);
    },

    async claimKey(userId, deviceId, algorithm) {
      // One statement deletes and returns the lowest key. Two concurrent claims may pick the same
      // row: SQLite runs them one after the other; on PostgreSQL the second waits for the first,
      // finds the row gone and deletes nothing — then it tries the next key. No key goes out twice.
      for (;;) {
        const row = await db
          .deleteFrom("e2e_one_time_keys")
          .where("user_id", "=", userId)
          .where("device_id", "=", deviceId)
          .where("algorithm", "=", algorithm)
          .where("key_id", "=", (eb) =>
            eb
              .selectFrom("e2e_one_time_keys as o")
              .select("o.key_id")
              .where("o.user_id", "=", userId)
              .where("o.device_id", "=", deviceId)
              .where("o.algorithm", "=", algorithm)
              .orderBy("o.key_id")
              .limit(1),
          )
          .returning(["key_id", "key_json"])
          .executeTakeFirst();
        if (row) return { algorithm, keyId: row.key_id, json: row.key_json, fallback: false };
        const left = await db
          .selectFrom("e2e_one_time_keys")
          .select("key_id")
          .where("user_id", "=", userId)
          .where("device_id", "=", deviceId)
          .where("algorithm", "=", algorithm)
          .limit(1)
          .executeTakeFirst();
        if (!left) break;
      }
      const fallback = await db
        .updateTable("e2e_fallback_keys")
        .set({ used: 1 })
        .where("user_id", "=", userId)
        .where("device_id", "=", deviceId)
        .where("algorithm", "=", algorithm)
        .returning(["key_id", "key_json"])
        .executeTakeFirst();
      return fallback
        ? { algorithm, keyId: fallback.key_id, json: fallback.key_json, fallback: true }
        : undefined;
    },

    async crossSigningKeys(userIds) {
      if (userIds.length === 0) return [];
      const rows = await db
        .selectFrom("e2e_cross_signing_keys")
        .selectAll()
        .where("user_id", "in", userIds)
        .execute();
      return rows.map(
        (r): StoredCrossSigningKey => ({
          userId: r.user_id,
          type: r.key_type as CrossSigningKeyType,
          publicKey: r.public_key,
          key: JSON.parse(r.key_json) as JsonObject,
        }),
      );
    },

    async setCrossSigningKeys(userId, keys) {
      return db.transaction().execute(async (trx) => {
        for (const k of keys) {
          // A replaced key's signatures (made by it, or over it) vouch for nothing any more.
          const old = await trx
            .selectFrom("e2e_cross_signing_keys")
            .select("public_key")
            .where("user_id", "=", userId)
            .where("key_type", "=", k.type)
            .executeTakeFirst();
          if (old && old.public_key !== k.publicKey) {
            await trx
              .deleteFrom("e2e_signatures")
              .where("signer_user_id", "=", userId)
              .where("signer_key_id", "=", `ed25519:${old.public_key}`)
              .execute();
            await trx
              .deleteFrom("e2e_signatures")
              .where("target_user_id", "=", userId)
              .where("target_key_id", "=", old.public_key)
              .execute();
          }
          const values = { public_key: k.publicKey, key_json: JSON.stringify(k.key) };
          await trx
            .insertInto("e2e_cross_signing_keys")
            .values({ user_id: userId, key_type: k.type, ...values })
            .onConflict((oc) => oc.columns(["user_id", "key_type"]).doUpdateSet(values))
            .execute();
        }
        return recordDeviceListChange(trx, [userId]);
      });
    },

    async addSignatures(signatures, changedUserIds) {
      return db.transaction().execute(async (trx) => {
        for (let i = 0; i < signatures.length; i += CHUNK) {
          await trx
            .insertInto("e2e_signatures")
            .values(signatures.slice(i, i + CHUNK).map(toRow))
            .onConflict((oc) =>
              oc
                .columns(["target_user_id", "target_key_id", "signer_user_id", "signer_key_id"])
                .doUpdateSet((eb) => ({ signature: eb.ref("excluded.signature") })),
            )
            .execute();
        }
        return recordDeviceListChange(trx, changedUserIds);
      });
    },

    async signaturesFor(targetUserIds) {
      if (targetUserIds.length === 0) return [];
      const rows = await db
        .selectFrom("e2e_signatures")
        .selectAll()
        .where("target_user_id", "in", targetUserIds)
        .execute();
      return rows.map((r) => ({
        targetUserId: r.target_user_id,
        targetKeyId: r.target_key_id,
        signerUserId: r.signer_user_id,
        signerKeyId: r.signer_key_id,
        signature: r.signature,
      }));
    },

    async deleteDeviceKeys(userId, deviceIds) {
      return db.transaction().execute(async (trx) => {
        if (deviceIds.length > 0) await deleteKeysOfDevices(trx, userId, deviceIds);
        return recordDeviceListChange(trx, [userId]);
      });
    },

    recordDeviceListChange: (userIds) =>
      db.transaction().execute((trx) => recordDeviceListChange(trx, userIds)),

    async deviceListChanges(from, to) {
      if (to <= from) return [];
      const rows = await db
        .selectFrom("device_lists_stream")
        .select("user_id")
        .distinct()
        .where("stream_id", ">", from)
        .where("stream_id", "<=", to)
        .execute();
      return rows.map((r) => r.user_id);
    },

    async membershipChanges(from, to) {
      if (to <= from) return [];
      const { rows } = await membershipChanges.execute(db, { member: "m.room.member", from, to });
      return rows.map((r) => ({ roomId: r.room_id, userId: r.state_key, membership: r.membership ?? "" }));
    },
  };
}

function toRow(s: KeySignature) {
  return {
    target_user_id: s.targetUserId,
    target_key_id: s.targetKeyId,
    signer_user_id: s.signerUserId,
    signer_key_id: s.signerKeyId,
    signature: s.signature,
  };
}
