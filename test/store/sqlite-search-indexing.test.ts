/**
 * SQLite indexes events for search after their transaction commits, in passes that follow the
 * events table from `search_position` (src/adapters/sql/search-index.ts). What a user relies on:
 * a search finds every message sent before it, a redacted message never reaches the index, and
 * nothing is left unindexed by a crash. The index is read here through a second connection.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/adapters/sqlite/open.js";
import type { NewEvent } from "../../src/ports/store/rooms.js";
import type { Store } from "../../src/ports/store.js";
import type { Pdu } from "../../src/protocol/pdu.js";

const ROOM = "!search:test";

const event = (id: string, depth: number, content: Record<string, unknown>, extra: Partial<NewEvent> = {}) =>
  ({
    eventId: id,
    pdu: {
      room_id: ROOM,
      sender: "@alice:test",
      type: "m.room.message",
      content,
      prev_events: [],
      auth_events: [],
      depth,
      origin_server_ts: 1000 + depth,
    } as unknown as Pdu,
    isState: false,
    prevEventIds: [],
    ...extra,
  }) satisfies NewEvent;

const createEvent = event(
  "$create",
  1,
  {},
  { newRoom: { roomId: ROOM, version: "11", creator: "@alice:test", createdTs: 1 } },
);

const redaction = (id: string, depth: number, redacts: string): NewEvent => {
  const base = event(id, depth, {});
  return { ...base, pdu: { ...base.pdu, type: "m.room.redaction", redacts } as unknown as Pdu, redacts };
};

const searchFor = (store: Store, word: string) =>
  store.search.search({ words: [word], keys: ["content.body"], roomIds: [ROOM], order: "recent", limit: 10 });

describe("SQLite search indexing after the commit", () => {
  let dir: string;
  let path: string;
  let store: Store | undefined;
  /** The rows of the full-text index and the position, as another connection sees them. */
  const peek = () => {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      const rows = db.prepare("select rowid, value from event_search order by rowid").all() as Array<{
        rowid: number;
        value: string;
      }>;
      const { position } = db.prepare("select position from search_position").get() as { position: number };
      return { values: rows.map((r) => r.value), rowids: rows.map((r) => r.rowid), position };
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "lattice-search-"));
    path = join(dir, "lattice.db");
    store = await openSqliteStore(path);
    await store.rooms.persistEvent(createEvent);
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("indexes a stored message soon after its commit, without a search asking", async () => {
    const ordering = await (store as Store).rooms.persistEvent(
      event("$m1", 2, { msgtype: "m.text", body: "Ducks" }),
    );
    // Not in the send's own transaction.
    expect(peek().values).toEqual([]);
    for (let i = 0; i < 100 && peek().position < ordering; i++) await new Promise((r) => setTimeout(r, 20));
    expect(peek()).toEqual({ values: ["Ducks"], rowids: [ordering], position: ordering });
  });

  it("finds a message in a search right after it was stored", async () => {
    const s = store as Store;
    await s.rooms.persistEvent(event("$m1", 2, { msgtype: "m.text", body: "quacking ducks" }));
    await s.rooms.persistEvent(event("$m2", 3, { msgtype: "m.text", body: "geese" }));
    const { hits, count } = await searchFor(s, "duck");
    expect(count).toBe(1);
    expect(hits.map((h) => h.event.eventId)).toEqual(["$m1"]);
  });

  it("keeps a message redacted before its pass out of the index", async () => {
    const s = store as Store;
    await s.rooms.persistEvent(event("$secret", 2, { msgtype: "m.text", body: "my password is hunter2" }));
    await s.rooms.persistEvent(event("$kept", 3, { msgtype: "m.text", body: "hunter season" }));
    await s.rooms.persistEvent(redaction("$redaction", 4, "$secret"));
    const { hits } = await searchFor(s, "hunter2");
    expect(hits).toEqual([]);
    expect(peek().values).toEqual(["hunter season"]);
  });

  it("drops an indexed message from the index when it is redacted", async () => {
    const s = store as Store;
    await s.rooms.persistEvent(event("$secret", 2, { msgtype: "m.text", body: "my password is hunter2" }));
    expect((await searchFor(s, "hunter2")).hits.map((h) => h.event.eventId)).toEqual(["$secret"]);
    await s.rooms.persistEvent(redaction("$redaction", 3, "$secret"));
    expect(peek().values).toEqual([]);
  });

  it("indexes at the next start what a stopped server had not indexed yet", async () => {
    const ordering = await (store as Store).rooms.persistEvent(
      event("$m1", 2, { msgtype: "m.text", body: "left behind" }),
    );
    await (store as Store).close(); // before the pass: its timer is dropped, as a crash would
    store = undefined;
    expect(peek().values).toEqual([]);
    store = await openSqliteStore(path);
    expect(peek()).toEqual({ values: ["left behind"], rowids: [ordering], position: ordering });
  });

  it("keeps the index of a database from before the position: nothing lost, nothing twice", async () => {
    const s = store as Store;
    await s.rooms.persistEvent(event("$m1", 2, { msgtype: "m.text", body: "old message" }));
    const ordering = await s.rooms.persistEvent(event("$m2", 3, { msgtype: "m.text", body: "older news" }));
    await searchFor(s, "old");
    await s.close();
    store = undefined;
    // The database as it was before migration 0014: indexed in the events' own transactions.
    const raw = new BetterSqlite3(path);
    raw.exec("drop table search_position; delete from kysely_migration where name = '0014-search-position'");
    raw.close();
    store = await openSqliteStore(path);
    expect(peek()).toEqual({
      values: ["old message", "older news"],
      rowids: [ordering - 1, ordering],
      position: ordering,
    });
    expect((await searchFor(store, "old")).count).toBe(2);
  });
});
