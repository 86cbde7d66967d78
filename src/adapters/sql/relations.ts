/** The relation queries of the room repository (ports/store/relations.ts) over `event_relations`. */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { RelationRepository, StreamRange } from "../../ports/store/relations.js";
import { toStored } from "./event-rows.js";
import { PreparedLists } from "./prepared-lists.js";
import type { Database } from "./schema.js";

/** `column` lies in one of the ranges; true when no ranges are given. */
function inRanges(column: string, ranges: StreamRange[] | undefined): RawBuilder<boolean> {
  if (ranges === undefined) return sql<boolean>`1 = 1`;
  if (ranges.length === 0) return sql<boolean>`1 = 0`;
  const ref = sql.ref(column);
  const parts = ranges.map((r) =>
    r.to === null ? sql`${ref} >= ${r.from}` : sql`(${ref} >= ${r.from} and ${ref} <= ${r.to})`,
  );
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/** SQLite limits bound parameters per statement; batches of parents stay well below it. */
const CHUNK = 200;

async function chunked<T>(ids: string[], run: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await run(ids.slice(i, i + CHUNK))));
  return out;
}

export function sqlRelations(db: Kysely<Database>): RelationRepository {
  // Run for every page of a timeline served.
  const parentsWith = new PreparedLists<{ relates_to: string }>((q, _p, list) =>
    q
      .selectFrom("event_relations")
      .select("relates_to")
      .distinct()
      .where("relates_to", "in", list("ids"))
      .where("rel_type", "in", list("relTypes")),
  );

  return {
    async relations(eventId, q) {
      const rows = await db
        .withRecursive("tree(event_id, depth)", (qc) =>
          qc
            .selectFrom("event_relations as r")
            .innerJoin("events as e", "e.event_id", "r.event_id")
            .select(["r.event_id", sql<number>`1`.as("depth")])
            .where("r.relates_to", "=", eventId)
            .where("e.room_id", "=", q.roomId)
            .where("e.redacted_by", "is", null)
            .$if(q.relType !== undefined, (b) => b.where("r.rel_type", "=", q.relType as string))
            .$if(q.eventType !== undefined, (b) => b.where("e.type", "=", q.eventType as string))
            .where(inRanges("e.stream_ordering", q.visible))
            .unionAll((rc) =>
              rc
                .selectFrom("tree as t")
                .innerJoin("event_relations as r", "r.relates_to", "t.event_id")
                .innerJoin("events as e", "e.event_id", "r.event_id")
                .select(["r.event_id", sql<number>`t.depth + 1`.as("depth")])
                .where("t.depth", "<", q.depth)
                .where("e.room_id", "=", q.roomId)
                .where("e.redacted_by", "is", null)
                .$if(q.relType !== undefined, (b) => b.where("r.rel_type", "=", q.relType as string))
                .$if(q.eventType !== undefined, (b) => b.where("e.type", "=", q.eventType as string))
                .where(inRanges("e.stream_ordering", q.visible)),
            ),
        )
        .selectFrom("tree")
        .innerJoin("events as e", "e.event_id", "tree.event_id")
        .selectAll("e")
        .$if(q.direction === "b", (b) =>
          b
            .$if(q.from !== undefined, (c) => c.where("e.stream_ordering", "<", q.from as number))
            .$if(q.to !== undefined, (c) => c.where("e.stream_ordering", ">=", q.to as number))
            .orderBy("e.stream_ordering", "desc"),
        )
        .$if(q.direction === "f", (b) =>
          b
            .$if(q.from !== undefined, (c) => c.where("e.stream_ordering", ">", q.from as number))
            .$if(q.to !== undefined, (c) => c.where("e.stream_ordering", "<=", q.to as number))
            .orderBy("e.stream_ordering", "asc"),
        )
        .limit(q.limit)
        .execute();
      return rows.map(toStored);
    },

    async parentsWithChildren(parentIds, relTypes) {
      const rows = await chunked(
        parentIds,
        async (ids) => (await parentsWith.execute(db, {}, { ids, relTypes })).rows,
      );
      return new Set(rows.map((r) => r.relates_to));
    },

    latestEdits(parentIds, perParent, visible) {
      return chunked(parentIds, async (ids) => {
        const ranked = db
          .selectFrom("event_relations as r")
          .innerJoin("events as e", "e.event_id", "r.event_id")
          .innerJoin("events as p", "p.event_id", "r.relates_to")
          .selectAll("e")
          .select(
            sql<number>`row_number() over (partition by r.relates_to order by e.origin_server_ts desc, e.event_id desc)`.as(
              "rank",
            ),
          )
          .where("r.relates_to", "in", ids)
          .where("r.rel_type", "=", "m.replace")
          .where("e.redacted_by", "is", null)
          .whereRef("e.room_id", "=", "p.room_id")
          .whereRef("e.sender", "=", "p.sender")
          .whereRef("e.type", "=", "p.type")
          .where("e.state_key", "is", null)
          .where("p.state_key", "is", null)
          // An edit of an edit is no edit (spec: "Validity of replacement events").
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("event_relations as pr")
                  .select("pr.event_id")
                  .whereRef("pr.event_id", "=", "p.event_id")
                  .where("pr.rel_type", "=", "m.replace"),
              ),
            ),
          )
          .where(inRanges("e.stream_ordering", visible))
          .as("ranked");
        const rows = await db
          .selectFrom(ranked)
          .selectAll()
          .where("rank", "<=", perParent)
          .orderBy("rank")
          .execute();
        return rows.map(toStored);
      });
    },

    threadSummaries(parentIds, userId, visible) {
      return chunked(parentIds, async (ids) => {
        const summary = db
          .selectFrom("event_relations as r")
          .innerJoin("events as e", "e.event_id", "r.event_id")
          .innerJoin("events as p", "p.event_id", "r.relates_to")
          .select([
            "r.relates_to as root_id",
            sql<number>`count(*)`.as("count"),
            sql<number>`max(r.stream_ordering)`.as("latest"),
            sql<number>`max(case when e.sender = ${userId} then 1 else 0 end)`.as("participated"),
          ])
          .where("r.relates_to", "in", ids)
          .where("r.rel_type", "=", "m.thread")
          .where("e.redacted_by", "is", null)
          .whereRef("e.room_id", "=", "p.room_id")
          .where(inRanges("e.stream_ordering", visible))
          .groupBy("r.relates_to")
          .as("s");
        // The latest child by its stream ordering, which the events table indexes (unique).
        const rows = await db
          .selectFrom(summary)
          .innerJoin("events as l", "l.stream_ordering", "s.latest")
          .select(["s.root_id", "s.count", "s.participated", "l.event_id"])
          .execute();
        return rows.map((r) => ({
          rootId: r.root_id,
          count: Number(r.count),
          latestEventId: r.event_id,
          participated: Number(r.participated) === 1,
        }));
      });
    },

    references(parentIds, perParent, visible) {
      return chunked(parentIds, async (ids) => {
        const ranked = db
          .selectFrom("event_relations as r")
          .innerJoin("events as e", "e.event_id", "r.event_id")
          .innerJoin("events as p", "p.event_id", "r.relates_to")
          .select([
            "r.relates_to",
            "r.event_id",
            "r.stream_ordering",
            sql<number>`row_number() over (partition by r.relates_to order by r.stream_ordering)`.as("rank"),
          ])
          .where("r.relates_to", "in", ids)
          .where("r.rel_type", "=", "m.reference")
          .where("e.redacted_by", "is", null)
          .whereRef("e.room_id", "=", "p.room_id")
          .where(inRanges("e.stream_ordering", visible))
          .as("ranked");
        const rows = await db
          .selectFrom(ranked)
          .select(["relates_to", "event_id"])
          .where("rank", "<=", perParent)
          .orderBy("stream_ordering")
          .execute();
        return rows.map((r) => ({ parentId: r.relates_to, eventId: r.event_id }));
      });
    },

    async findAnnotation(parentId, sender, type, key) {
      const row = await db
        .selectFrom("event_relations as r")
        .innerJoin("events as e", "e.event_id", "r.event_id")
        .select("e.event_id")
        .where("r.relates_to", "=", parentId)
        .where("r.rel_type", "=", "m.annotation")
        .where("r.aggregation_key", "=", key)
        .where("e.sender", "=", sender)
        .where("e.type", "=", type)
        .where("e.redacted_by", "is", null)
        .executeTakeFirst();
      return row?.event_id;
    },

    async threads(roomId, q) {
      const rows = await db
        .selectFrom("event_relations as r")
        .innerJoin("events as e", "e.event_id", "r.event_id")
        .innerJoin("events as p", "p.event_id", "r.relates_to")
        .select(["r.relates_to as root_id", sql<number>`max(r.stream_ordering)`.as("latest")])
        .where("r.room_id", "=", roomId)
        .where("r.rel_type", "=", "m.thread")
        .where("e.redacted_by", "is", null)
        .where("p.room_id", "=", roomId)
        .where(inRanges("e.stream_ordering", q.visible))
        .where(inRanges("p.stream_ordering", q.visible))
        .groupBy(["r.relates_to", "p.sender"])
        .$if(q.before !== undefined, (b) => b.having(sql`max(r.stream_ordering)`, "<", q.before as number))
        .$if(q.participatedOnly, (b) =>
          b.having(
            sql<boolean>`(p.sender = ${q.userId} or max(case when e.sender = ${q.userId} then 1 else 0 end) = 1)`,
          ),
        )
        .orderBy(sql`max(r.stream_ordering)`, "desc")
        .limit(q.limit)
        .execute();
      return rows.map((r) => ({ rootId: r.root_id, latest: Number(r.latest) }));
    },
  };
}
