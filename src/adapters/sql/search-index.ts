/**
 * The full-text index of room events, one implementation per engine: SQLite's FTS5 (also D1) and
 * PostgreSQL's tsvector with a GIN index (tables from migration 0007-search). The engine is chosen
 * once, where the store is opened (src/adapters/sqlite/open.ts, src/adapters/postgres/open.ts), and
 * everything else talks to the `SearchIndex` capability.
 */
import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from "kysely";
import type { SearchHit, SearchKey, SearchQuery, SearchRepository } from "../../ports/store/search.js";
import type { Pdu } from "../../protocol/pdu.js";
import { toStored } from "./event-rows.js";
import { Prepared } from "./prepared.js";
import type { Database, EventsTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface SearchEntry {
  streamOrdering: number;
  roomId: string;
  key: SearchKey;
  value: string;
}

export interface SearchIndex {
  /** Indexes one event, inside the transaction that persists it. */
  add(trx: Db, entry: SearchEntry): Promise<void>;
  /** Drops a redacted event from the index, inside the transaction that persists the redaction. */
  remove(trx: Db, eventId: string): Promise<void>;
  search(db: Db, query: SearchQuery): Promise<{ hits: SearchHit[]; count: number }>;
}

/** What the spec makes searchable in an event (client-server-api "Server Side Search":
 * `room_events`), or undefined. */
export function searchEntryOf(pdu: Pdu): { key: SearchKey; value: string } | undefined {
  const c = pdu.content;
  if (pdu.type === "m.room.message" && pdu.state_key === undefined && typeof c.body === "string") {
    return c.body ? { key: "content.body", value: c.body } : undefined;
  }
  if (pdu.state_key !== "") return undefined;
  if (pdu.type === "m.room.name" && typeof c.name === "string" && c.name) {
    return { key: "content.name", value: c.name };
  }
  if (pdu.type === "m.room.topic") {
    const parts: string[] = [];
    if (typeof c.topic === "string" && c.topic) parts.push(c.topic);
    // The text/plain representation in `m.topic` (spec v1.15 "m.room.topic").
    const rich = (c["m.topic"] as { "m.text"?: unknown } | undefined)?.["m.text"];
    if (Array.isArray(rich)) {
      for (const r of rich) {
        const text = r as { body?: unknown; mimetype?: unknown };
        const plain = text.mimetype === undefined || text.mimetype === "text/plain";
        if (plain && typeof text.body === "string" && text.body && !parts.includes(text.body)) {
          parts.push(text.body);
        }
      }
    }
    return parts.length ? { key: "content.topic", value: parts.join("\n") } : undefined;
  }
  return undefined;
}

type HitRow = Selectable<EventsTable> & { score: number };

function toHits(rows: HitRow[]): SearchHit[] {
  return rows.map((r) => ({ event: toStored(r), rank: Number(r.score) }));
}

/** The conditions both engines share, on `events e` joined to the index. */
function commonConditions(q: SearchQuery, roomColumn: RawBuilder<unknown>, keyColumn: RawBuilder<unknown>) {
  const parts = [
    sql`e.redacted_by is null`,
    sql`${roomColumn} in (${sql.join(q.roomIds)})`,
    sql`${keyColumn} in (${sql.join(q.keys)})`,
  ];
  return sql.join(parts, sql` and `);
}

function paging(q: SearchQuery) {
  if (q.order === "recent") {
    const before = q.before !== undefined ? sql`and e.stream_ordering < ${q.before}` : sql``;
    return {
      before,
      order: sql`order by e.stream_ordering desc limit ${q.limit}`,
    };
  }
  return {
    before: sql``,
    order: sql`order by score desc, e.stream_ordering desc limit ${q.limit} offset ${q.offset ?? 0}`,
  };
}

const emptyResult = { hits: [], count: 0 };
const nothingToFind = (q: SearchQuery) =>
  q.words.length === 0 || q.roomIds.length === 0 || q.keys.length === 0;

/** The insert of one entry, run for every message (prepared: see prepared.ts). */
type EntryParam = "streamOrdering" | "value" | "roomId" | "key";

const fts5Insert = new Prepared<EntryParam>((db, p) => ({
  compile: () =>
    sql`insert into event_search (rowid, value, room_id, key) values (${p("streamOrdering")}, ${p("value")}, ${p("roomId")}, ${p("key")})`.compile(
      db,
    ),
}));

/** SQLite FTS5: the table's rowid is the event's stream ordering; `bm25` is lower for better hits. */
export const fts5SearchIndex: SearchIndex = {
  async add(trx, entry) {
    await fts5Insert.execute(trx, entry);
  },

  async remove(trx, eventId) {
    await sql`delete from event_search where rowid = (select stream_ordering from events where event_id = ${eventId})`.execute(
      trx,
    );
  },

  async search(db, q) {
    if (nothingToFind(q)) return emptyResult;
    // Each word quoted (no FTS5 syntax can get in) and matched as a prefix; all must match.
    const match = q.words.map((w) => `"${w}"*`).join(" ");
    const where = sql`event_search match ${match} and ${commonConditions(q, sql`event_search.room_id`, sql`event_search.key`)}`;
    const from = sql`from event_search join events e on e.stream_ordering = event_search.rowid`;
    const { before, order } = paging(q);
    const rows =
      await sql<HitRow>`select e.*, -bm25(event_search) as score ${from} where ${where} ${before} ${order}`.execute(
        db,
      );
    const count = await sql<{ n: number }>`select count(*) as n ${from} where ${where}`.execute(db);
    return { hits: toHits(rows.rows), count: Number(count.rows[0]?.n ?? 0) };
  },
};

const tsvectorInsert = new Prepared<EntryParam>((db, p) => ({
  compile: () =>
    sql`insert into event_search (stream_ordering, room_id, key, vector) values (${p("streamOrdering")}, ${p("roomId")}, ${p("key")}, to_tsvector('english', ${p("value")}))`.compile(
      db,
    ),
}));

/** PostgreSQL: a tsvector per event under the 'english' configuration, found through a GIN index. */
export const tsvectorSearchIndex: SearchIndex = {
  async add(trx, entry) {
    await tsvectorInsert.execute(trx, entry);
  },

  async remove(trx, eventId) {
    await sql`delete from event_search where stream_ordering = (select stream_ordering from events where event_id = ${eventId})`.execute(
      trx,
    );
  },

  async search(db, q) {
    if (nothingToFind(q)) return emptyResult;
    // Words hold letters and digits only, so they cannot carry tsquery operators.
    const query = sql`to_tsquery('english', ${q.words.map((w) => `${w}:*`).join(" & ")})`;
    const where = sql`s.vector @@ ${query} and ${commonConditions(q, sql`s.room_id`, sql`s.key`)}`;
    const from = sql`from event_search s join events e on e.stream_ordering = s.stream_ordering`;
    const { before, order } = paging(q);
    const rows =
      await sql<HitRow>`select e.*, ts_rank_cd(s.vector, ${query}) as score ${from} where ${where} ${before} ${order}`.execute(
        db,
      );
    const count = await sql<{ n: number }>`select count(*) as n ${from} where ${where}`.execute(db);
    return { hits: toHits(rows.rows), count: Number(count.rows[0]?.n ?? 0) };
  },
};

export function sqlSearch(db: Kysely<Database>, index: SearchIndex): SearchRepository {
  return { search: (query) => index.search(db, query) };
}
