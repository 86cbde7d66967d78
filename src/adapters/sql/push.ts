/** The push repositories over Kysely (see ports/store/push.ts). */
import type { Kysely, Selectable, Transaction } from "kysely";
import {
  ANCHOR_NOT_FOUND,
  type NotificationCounts,
  type PushActionRepository,
  type Pusher,
  type PusherRepository,
  type PushRuleRepository,
  type StoredPushRules,
} from "../../ports/store/push.js";
import type { JsonObject } from "../../protocol/json.js";
import type { PushAction, PushCondition, PushRuleKind, UserPushRule } from "../../protocol/push/rules.js";
import { Prepared } from "./prepared.js";
import { PreparedLists } from "./prepared-lists.js";
import type { Database, PushersTable, PushRulesTable } from "./schema.js";
import { nextStreamPosition } from "./streams.js";

/** SQLite limits bound parameters per statement. */
const CHUNK = 500;

function toRule(row: Selectable<PushRulesTable>): UserPushRule {
  const rule: UserPushRule = {
    kind: row.kind as PushRuleKind,
    rule_id: row.rule_id,
    enabled: Number(row.enabled) === 1,
    actions: JSON.parse(row.actions) as PushAction[],
  };
  if (row.conditions !== null) rule.conditions = JSON.parse(row.conditions) as PushCondition[];
  if (row.pattern !== null) rule.pattern = row.pattern;
  return rule;
}

async function bumpStream(trx: Transaction<Database>, userId: string): Promise<number> {
  const streamId = await nextStreamPosition(trx, "push_rules");
  await trx
    .insertInto("push_rules_stream")
    .values({ user_id: userId, stream_id: streamId })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ stream_id: streamId }))
    .execute();
  return streamId;
}

export function sqlPushRules(db: Kysely<Database>): PushRuleRepository {
  // Asked for the sender's room members on every event (is their cached ruleset current?).
  const lastChangeOf = new Prepared<"userId", { stream_id: number }>((q, p) =>
    q.selectFrom("push_rules_stream").select("stream_id").where("user_id", "=", p("userId")),
  );
  const getMany = async (userIds: readonly string[]) => {
    const out = new Map<string, StoredPushRules>();
    for (const userId of userIds) out.set(userId, { rules: [], defaults: new Map() });
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const chunk = userIds.slice(i, i + CHUNK);
      const rules = await db
        .selectFrom("push_rules")
        .selectAll()
        .where("user_id", "in", chunk)
        .orderBy("user_id")
        .orderBy("kind")
        .orderBy("priority", "desc")
        .execute();
      for (const row of rules) out.get(row.user_id)?.rules.push(toRule(row));
      const defaults = await db
        .selectFrom("push_rule_defaults")
        .selectAll()
        .where("user_id", "in", chunk)
        .execute();
      for (const row of defaults) {
        const change: { enabled?: boolean; actions?: PushAction[] } = {};
        if (row.enabled !== null) change.enabled = Number(row.enabled) === 1;
        if (row.actions !== null) change.actions = JSON.parse(row.actions) as PushAction[];
        out.get(row.user_id)?.defaults.set(row.rule_id, change);
      }
    }
    return out;
  };

  return {
    async get(userId) {
      return (await getMany([userId])).get(userId) as StoredPushRules;
    },
    getMany,

    async put(userId, rule, placement) {
      return db.transaction().execute(async (trx) => {
        const siblings = await trx
          .selectFrom("push_rules")
          .selectAll()
          .where("user_id", "=", userId)
          .where("kind", "=", rule.kind)
          .orderBy("priority", "desc")
          .execute();
        const existing = siblings.find((r) => r.rule_id === rule.rule_id);
        const anchorId = placement.before ?? placement.after;
        const ordered = siblings.filter((r) => r.rule_id !== rule.rule_id).map((r) => r.rule_id);
        let index: number;
        if (anchorId !== undefined) {
          const anchor = ordered.indexOf(anchorId);
          if (anchor === -1) return ANCHOR_NOT_FOUND;
          index = placement.before !== undefined ? anchor : anchor + 1;
        } else if (existing) {
          index = siblings.indexOf(existing);
        } else {
          index = 0;
        }
        ordered.splice(index, 0, rule.rule_id);
        const row = {
          user_id: userId,
          kind: rule.kind,
          rule_id: rule.rule_id,
          priority: ordered.length - index,
          conditions: rule.conditions === undefined ? null : JSON.stringify(rule.conditions),
          pattern: rule.pattern ?? null,
          actions: JSON.stringify(rule.actions),
          enabled: existing ? existing.enabled : rule.enabled ? 1 : 0,
        };
        await trx
          .deleteFrom("push_rules")
          .where("user_id", "=", userId)
          .where("kind", "=", rule.kind)
          .execute();
        const rows = ordered.map((ruleId, i) => {
          const priority = ordered.length - i;
          if (ruleId === rule.rule_id) return { ...row, priority };
          const sibling = siblings.find((r) => r.rule_id === ruleId) as Selectable<PushRulesTable>;
          return { ...sibling, priority };
        });
        for (let i = 0; i < rows.length; i += 100) {
          await trx
            .insertInto("push_rules")
            .values(rows.slice(i, i + 100))
            .execute();
        }
        return bumpStream(trx, userId);
      });
    },

    async delete(userId, kind, ruleId) {
      return db.transaction().execute(async (trx) => {
        const deleted = await trx
          .deleteFrom("push_rules")
          .where("user_id", "=", userId)
          .where("kind", "=", kind)
          .where("rule_id", "=", ruleId)
          .executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) return undefined;
        return bumpStream(trx, userId);
      });
    },

    async update(userId, kind, ruleId, change) {
      return db.transaction().execute(async (trx) => {
        const set: { enabled?: number; actions?: string } = {};
        if (change.enabled !== undefined) set.enabled = change.enabled ? 1 : 0;
        if (change.actions !== undefined) set.actions = JSON.stringify(change.actions);
        const updated = await trx
          .updateTable("push_rules")
          .set(set)
          .where("user_id", "=", userId)
          .where("kind", "=", kind)
          .where("rule_id", "=", ruleId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return undefined;
        return bumpStream(trx, userId);
      });
    },

    async changeDefault(userId, ruleId, change) {
      return db.transaction().execute(async (trx) => {
        const enabled = change.enabled === undefined ? null : change.enabled ? 1 : 0;
        const actions = change.actions === undefined ? null : JSON.stringify(change.actions);
        await trx
          .insertInto("push_rule_defaults")
          .values({ user_id: userId, rule_id: ruleId, enabled, actions })
          .onConflict((oc) =>
            oc.columns(["user_id", "rule_id"]).doUpdateSet((eb) => ({
              enabled: enabled === null ? eb.ref("push_rule_defaults.enabled") : enabled,
              actions: actions === null ? eb.ref("push_rule_defaults.actions") : actions,
            })),
          )
          .execute();
        return bumpStream(trx, userId);
      });
    },

    async lastChange(userId) {
      const [row] = (await lastChangeOf.execute(db, { userId })).rows;
      return Number(row?.stream_id ?? 0);
    },
  };
}

function toPusher(row: Selectable<PushersTable>): Pusher {
  const pusher: Pusher = {
    userId: row.user_id,
    kind: row.kind,
    appId: row.app_id,
    pushkey: row.pushkey,
    appDisplayName: row.app_display_name,
    deviceDisplayName: row.device_display_name,
    lang: row.lang,
    data: JSON.parse(row.data) as JsonObject,
    createdTs: Number(row.created_ts),
  };
  if (row.profile_tag !== null) pusher.profileTag = row.profile_tag;
  return pusher;
}

export function sqlPushers(db: Kysely<Database>): PusherRepository {
  return {
    async list(userId) {
      const rows = await db
        .selectFrom("pushers")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("created_ts")
        .orderBy("app_id")
        .orderBy("pushkey")
        .execute();
      return rows.map(toPusher);
    },

    async forUsers(userIds) {
      const out: Pusher[] = [];
      for (let i = 0; i < userIds.length; i += CHUNK) {
        const rows = await db
          .selectFrom("pushers")
          .selectAll()
          .where("user_id", "in", userIds.slice(i, i + CHUNK))
          .execute();
        out.push(...rows.map(toPusher));
      }
      return out;
    },

    async set(p, append) {
      await db.transaction().execute(async (trx) => {
        if (!append) {
          await trx
            .deleteFrom("pushers")
            .where("app_id", "=", p.appId)
            .where("pushkey", "=", p.pushkey)
            .where("user_id", "!=", p.userId)
            .execute();
        }
        const row = {
          user_id: p.userId,
          app_id: p.appId,
          pushkey: p.pushkey,
          kind: p.kind,
          app_display_name: p.appDisplayName,
          device_display_name: p.deviceDisplayName,
          profile_tag: p.profileTag ?? null,
          lang: p.lang,
          data: JSON.stringify(p.data),
          created_ts: p.createdTs,
        };
        const { created_ts: _keep, ...changes } = row;
        await trx
          .insertInto("pushers")
          .values(row)
          .onConflict((oc) => oc.columns(["app_id", "pushkey", "user_id"]).doUpdateSet(changes))
          .execute();
      });
    },

    async delete(userId, appId, pushkey) {
      const deleted = await db
        .deleteFrom("pushers")
        .where("user_id", "=", userId)
        .where("app_id", "=", appId)
        .where("pushkey", "=", pushkey)
        .executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    },
  };
}

export function sqlPushActions(db: Kysely<Database>): PushActionRepository {
  // The unread counts of every /sync with rooms in it, compiled once per room count.
  const readPositionsOfRooms = new PreparedLists<{ room_id: string; thread_id: string; position: unknown }>(
    (q, p, list) =>
      q
        .selectFrom("receipts")
        .innerJoin("events", "events.event_id", "receipts.event_id")
        .select(["receipts.room_id as room_id", "receipts.thread_id as thread_id"])
        .select((eb) => eb.fn.max("events.stream_ordering").as("position"))
        .where("receipts.room_id", "in", list("rooms"))
        .where("receipts.user_id", "=", p("userId"))
        .where("receipts.receipt_type", "in", [p("read"), p("readPrivate")])
        .groupBy(["receipts.room_id", "receipts.thread_id"]),
  );
  const countsOfRooms = new PreparedLists<{
    room_id: string;
    thread_id: string;
    notifications: unknown;
    highlights: unknown;
  }>((q, p, list) => {
    const rooms = list("rooms");
    const from = list("from");
    return q
      .selectFrom("event_push_actions as a")
      .select(["a.room_id", "a.thread_id"])
      .select((eb) => [eb.fn.countAll().as("notifications"), eb.fn.sum("a.highlight").as("highlights")])
      .where("a.user_id", "=", p("userId"))
      .where("a.room_id", "in", rooms)
      .where("a.stream_ordering", "<=", p("upTo"))
      .where((eb) =>
        eb.or(
          rooms.map((roomId, i) =>
            eb.and([eb("a.room_id", "=", roomId), eb("a.stream_ordering", ">", from[i] as never)]),
          ),
        ),
      )
      .groupBy(["a.room_id", "a.thread_id"]);
  });

  return {
    async readPositions(userId, roomId) {
      const rows = await db
        .selectFrom("receipts")
        .innerJoin("events", "events.event_id", "receipts.event_id")
        .select(["receipts.thread_id as thread_id"])
        .select((eb) => eb.fn.max("events.stream_ordering").as("position"))
        .where("receipts.room_id", "=", roomId)
        .where("receipts.user_id", "=", userId)
        .where("receipts.receipt_type", "in", ["m.read", "m.read.private"])
        .groupBy("receipts.thread_id")
        .execute();
      return new Map(rows.map((r) => [r.thread_id, Number(r.position)]));
    },

    async readPositionsInRooms(userId, roomIds) {
      const out = new Map<string, Map<string, number>>();
      for (let i = 0; i < roomIds.length; i += CHUNK) {
        const { rows } = await readPositionsOfRooms.execute(
          db,
          { userId, read: "m.read", readPrivate: "m.read.private" },
          { rooms: roomIds.slice(i, i + CHUNK) },
        );
        for (const r of rows) {
          const byThread = out.get(r.room_id) ?? new Map<string, number>();
          byThread.set(r.thread_id, Number(r.position));
          out.set(r.room_id, byThread);
        }
      }
      return out;
    },

    async countsByThreadInRooms(userId, after, upTo) {
      const out = new Map<string, Map<string, NotificationCounts>>();
      const rooms = [...after];
      // Three parameters per room: a third of the chunk.
      for (let i = 0; i < rooms.length; i += CHUNK / 3) {
        const chunk = rooms.slice(i, i + CHUNK / 3);
        const { rows } = await countsOfRooms.execute(
          db,
          { userId, upTo },
          { rooms: chunk.map(([roomId]) => roomId), from: chunk.map(([, from]) => from) },
        );
        for (const r of rows) {
          const byThread = out.get(r.room_id) ?? new Map<string, NotificationCounts>();
          byThread.set(r.thread_id, {
            notificationCount: Number(r.notifications),
            highlightCount: Number(r.highlights ?? 0),
          });
          out.set(r.room_id, byThread);
        }
      }
      return out;
    },

    async countsByThread(userId, roomId, range, threadId) {
      let query = db
        .selectFrom("event_push_actions as a")
        .select("a.thread_id")
        .select((eb) => [eb.fn.countAll().as("notifications"), eb.fn.sum("a.highlight").as("highlights")])
        .where("a.user_id", "=", userId)
        .where("a.room_id", "=", roomId)
        .where("a.stream_ordering", ">", range.after)
        .where("a.stream_ordering", "<=", range.upTo);
      if (threadId !== undefined) query = query.where("a.thread_id", "=", threadId);
      const rows = await query.groupBy("a.thread_id").execute();
      const out = new Map<string, NotificationCounts>();
      for (const r of rows) {
        out.set(r.thread_id, {
          notificationCount: Number(r.notifications),
          highlightCount: Number(r.highlights ?? 0),
        });
      }
      return out;
    },

    async list(userId, options) {
      let query = db.selectFrom("event_push_actions as a").selectAll("a").where("a.user_id", "=", userId);
      if (options.before !== undefined) query = query.where("a.stream_ordering", "<", options.before);
      if (options.onlyHighlight) query = query.where("a.highlight", "=", 1);
      const rows = await query.orderBy("a.stream_ordering", "desc").limit(options.limit).execute();
      return rows.map((r) => ({
        userId: r.user_id,
        roomId: r.room_id,
        eventId: r.event_id,
        threadId: r.thread_id,
        actions: JSON.parse(r.actions) as PushAction[],
        highlight: Number(r.highlight) === 1,
        ts: Number(r.ts),
        streamOrdering: Number(r.stream_ordering),
      }));
    },
  };
}
