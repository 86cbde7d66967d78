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
  /** Indexes one event inside the transaction that persists it, where the engine indexes that way
   * (PostgreSQL). */
  add?(trx: Db, entry: SearchEntry): Promise<void>;
  /** Told after each transaction that stored events has committed. */
  stored(): void;
  /** Drops a redacted event from the index, inside the transaction that persists the redaction. */
  remove(trx: Db, eventId: string): Promise<void>;
  search(db: Db, query: SearchQuery): Promise<{ hits: SearchHit[]; count: number }>;
  /** Stops background work; the store is closing. */
  close(): void;
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

/** The insert of one entry (prepared: see prepared.ts). */
type EntryParam = "streamOrdering" | "value" | "roomId" | "key";

/** `or replace`: a pass over an event that is already in the index (a position behind it, whatever
 * the cause) rewrites its row, rather than failing there and stopping every pass after it. */
const fts5Insert = new Prepared<EntryParam>((db, p) => ({
  compile: () =>
    sql`insert or replace into event_search (rowid, value, room_id, key) values (${p("streamOrdering")}, ${p("value")}, ${p("roomId")}, ${p("key")})`.compile(
      db,
    ),
}));

/** The event types `searchEntryOf` may take something from: other events are passed over unparsed. */
const SEARCHABLE_TYPES = new Set(["m.room.message", "m.room.name", "m.room.topic"]);

/** Events per transaction of a catch-up pass: a pass holds the one connection while it writes. */
const PASS_BATCH = 200;

/** A background pass runs once no event was stored for IDLE_MS, and at the latest MAX_DELAY_MS after
 * the first event it has to index: out of the way of a conversation's sends and their long-polls,
 * and many events to one FTS5 segment under load. */
const IDLE_MS = 50;
const MAX_DELAY_MS = 1000;

export interface Fts5SearchIndex extends SearchIndex {
  /** Indexes every event stored since the last pass (the server runs one at start: events whose pass
   * a crash or shutdown cut short). */
  catchUp(): Promise<void>;
}

/**
 * SQLite FTS5: the table's rowid is the event's stream ordering; `bm25` is lower for better hits.
 *
 * Events are indexed after their transaction commits, by passes that follow the events table in
 * stream order from `search_position`, in their own transactions. In the event's transaction FTS5
 * wrote four pages (its data, idx, docsize and content B-trees) to the WAL per message, on the path
 * the sender and every /sync woken by the message wait for. One connection runs one transaction at a
 * time and positions are taken inside write transactions, so every event at or below the newest one
 * a pass sees has committed: the position never passes an event that is not indexed yet.
 *
 * A search runs a pass first when this process stored events since the last one, so it finds
 * everything stored before it. A redaction deletes the event's entry in its own transaction, and a
 * pass leaves redacted events out.
 */
export function fts5SearchIndex(db: Kysely<Database>): Fts5SearchIndex {
  let passes: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstStored = 0;
  let lastStored = 0;
  /** Whether this process stored events that no pass has started on since. */
  let unindexed = true;

  /** Passes run one after another: one asked for while another runs starts when it is done, so it
   * sees what was stored after that one's last read. */
  const catchUp = (): Promise<void> => {
    const pass = passes.then(() => {
      unindexed = false;
      return indexStoredEvents(db);
    });
    // A failed pass leaves the position where it was: the next one starts there again.
    passes = pass.catch(() => {});
    return pass;
  };

  const arm = (ms: number) => {
    timer = setTimeout(fire, ms);
    // Never what keeps a process alive: a pass cut short is made up at the next start.
    timer.unref?.();
  };
  const fire = () => {
    const now = Date.now();
    const due = Math.min(lastStored + IDLE_MS, firstStored + MAX_DELAY_MS);
    if (now < due) return arm(due - now);
    timer = undefined;
    catchUp().catch(() => {});
  };

  return {
    catchUp,

    stored() {
      unindexed = true;
      lastStored = Date.now();
      if (timer !== undefined) return;
      firstStored = lastStored;
      arm(IDLE_MS);
    },

    async remove(trx, eventId) {
      await sql`delete from event_search where rowid = (select stream_ordering from events where event_id = ${eventId})`.execute(
        trx,
      );
    },

    async search(db, q) {
      if (nothingToFind(q)) return emptyResult;
      // A pass is a write transaction: only when there is something to index. (Events another
      // process stored in the file, the admin CLI's, wait for this process's next pass.)
      if (unindexed) await catchUp();
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

    close() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Indexes the events after `search_position`, PASS_BATCH per transaction, until none is left. */
async function indexStoredEvents(db: Kysely<Database>): Promise<void> {
  for (;;) {
    const indexed = await db.transaction().execute(async (trx) => {
      // A write first, so the transaction takes SQLite's write lock before it reads: a read snapshot
      // cannot become a writer once another process on the file (the admin CLI) has committed after
      // it (SQLITE_BUSY_SNAPSHOT), while waiting for the lock is what busy_timeout does.
      const { position } = await trx
        .updateTable("search_position")
        .set((eb) => ({ position: eb.ref("position") }))
        .returning("position")
        .executeTakeFirstOrThrow();
      const rows = await trx
        .selectFrom("events")
        .select(["stream_ordering", "room_id", "type", "json", "redacted_by"])
        .where("stream_ordering", ">", position)
        .orderBy("stream_ordering")
        .limit(PASS_BATCH)
        .execute();
      for (const row of rows) {
        if (row.redacted_by !== null || !SEARCHABLE_TYPES.has(row.type)) continue;
        const entry = searchEntryOf(JSON.parse(row.json) as Pdu);
        if (entry) {
          await fts5Insert.execute(trx, {
            streamOrdering: row.stream_ordering,
            roomId: row.room_id,
            ...entry,
          });
        }
      }
      const last = rows.at(-1);
      if (last) await trx.updateTable("search_position").set({ position: last.stream_ordering }).execute();
      return rows.length;
    });
    if (indexed < PASS_BATCH) return;
  }
}

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

  stored() {},

  close() {},

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
