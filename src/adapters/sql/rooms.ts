import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { DuplicateTransactionError, type NewEvent, type RoomRepository } from "../../ports/store/rooms.js";
import {
  STORED_EVENT_COLUMNS,
  STORED_EVENT_COLUMNS_OF_E,
  type StoredEventRow,
  toStored,
} from "./event-rows.js";
import { type MembershipRow, toMembership } from "./membership-rows.js";
import { Prepared, PreparedInsert } from "./prepared.js";
import { sqlRelations } from "./relations.js";
import { sqlRoomBatchReads } from "./room-batch-reads.js";
import type { Database, EventsTable } from "./schema.js";
import { type SearchIndex, searchEntryOf } from "./search-index.js";
import { currentStreamPosition, nextStreamPosition } from "./streams.js";

/** Up to this many (type, state key) pairs, `currentState` runs a statement compiled once. */
const MAX_PREPARED_STATE_KEYS = 8;

/** `searchIndex` is the engine's full-text index: written in the event's unit of work where the engine
 * does that (`add`), and told of every commit of events (`stored`). */
export function sqlRooms(db: Kysely<Database>, searchIndex: SearchIndex): RoomRepository {
  // The statements every sent event runs, compiled once (see prepared.ts).
  const streamOrderingOf = new Prepared<"eventId", { stream_ordering: number }>((q, p) =>
    q.selectFrom("events").select("stream_ordering").where("event_id", "=", p("eventId")),
  );
  const insertEvent = new Prepared<keyof EventsTable>((q, p) =>
    q.insertInto("events").values({
      event_id: p("event_id"),
      room_id: p("room_id"),
      stream_ordering: p("stream_ordering"),
      depth: p("depth"),
      type: p("type"),
      state_key: p("state_key"),
      sender: p("sender"),
      origin_server_ts: p("origin_server_ts"),
      json: p("json"),
      redacted_by: p("redacted_by"),
      replaces_state: p("replaces_state"),
    }),
  );
  const dropExtremity = new Prepared<"roomId" | "eventId">((q, p) =>
    q
      .deleteFrom("forward_extremities")
      .where("room_id", "=", p("roomId"))
      .where("event_id", "=", p("eventId")),
  );
  const addExtremity = new Prepared<"roomId" | "eventId" | "depth">((q, p) =>
    q
      .insertInto("forward_extremities")
      .values({ room_id: p("roomId"), event_id: p("eventId"), depth: p("depth") }),
  );
  // A transaction recorded before inserts nothing here (rather than failing with the engine's own
  // constraint error), so persistOne can say which failure it is.
  const insertTxn = new Prepared<"userId" | "deviceId" | "txnId" | "eventId">((q, p) =>
    q
      .insertInto("event_txns")
      .values({
        user_id: p("userId"),
        device_id: p("deviceId"),
        txn_id: p("txnId"),
        event_id: p("eventId"),
      })
      .onConflict((oc) => oc.columns(["user_id", "device_id", "txn_id"]).doNothing()),
  );
  const txnEvent = new Prepared<"userId" | "deviceId" | "txnId", { event_id: string }>((q, p) =>
    q
      .selectFrom("event_txns")
      .select("event_id")
      .where("user_id", "=", p("userId"))
      .where("device_id", "=", p("deviceId"))
      .where("txn_id", "=", p("txnId")),
  );
  const extremitiesOf = new Prepared<"roomId", { event_id: string; depth: number }>((q, p) =>
    q
      .selectFrom("forward_extremities")
      .select(["event_id", "depth"])
      .where("room_id", "=", p("roomId"))
      .orderBy("event_id"),
  );
  const eventById = new Prepared<"eventId", StoredEventRow>((q, p) =>
    q.selectFrom("events").select(STORED_EVENT_COLUMNS).where("event_id", "=", p("eventId")),
  );
  const membersWith = new Prepared<"roomId" | "type" | "membership", MembershipRow>((q, p) =>
    q
      .selectFrom("current_state")
      .select(["room_id", "state_key", "membership", "event_id", "stream_ordering"])
      .where("room_id", "=", p("roomId"))
      .where("type", "=", p("type"))
      .where("membership", "=", p("membership"))
      .orderBy("state_key"),
  );
  const allMembers = new Prepared<"roomId" | "type", MembershipRow>((q, p) =>
    q
      .selectFrom("current_state")
      .select(["room_id", "state_key", "membership", "event_id", "stream_ordering"])
      .where("room_id", "=", p("roomId"))
      .where("type", "=", p("type"))
      .orderBy("state_key"),
  );
  // Every /sync reads the user's memberships and which rooms had events since its token.
  const membershipsOfUser = new Prepared<"type" | "userId", MembershipRow>((q, p) =>
    q
      .selectFrom("current_state")
      .select(["room_id", "state_key", "membership", "event_id", "stream_ordering"])
      .where("type", "=", p("type"))
      .where("state_key", "=", p("userId")),
  );
  const roomsWithEvents = new Prepared<"from" | "to", { room_id: string }>((q, p) =>
    q
      .selectFrom("events")
      .select("room_id")
      .distinct()
      .where("stream_ordering", ">", p("from"))
      .where("stream_ordering", "<=", p("to")),
  );
  // Current state by (type, state key): one statement per number of keys (the auth events of an
  // event are three or four).
  const stateQueries = new Map<number, Prepared<string, StoredEventRow>>();
  const stateByKeys = (count: number) => {
    let query = stateQueries.get(count);
    if (!query) {
      query = new Prepared<string, StoredEventRow>((q, p) =>
        q
          .selectFrom("current_state as s")
          .innerJoin("events as e", "e.event_id", "s.event_id")
          .select(STORED_EVENT_COLUMNS_OF_E)
          .where("s.room_id", "=", p("roomId"))
          // A row-value IN, which both engines answer with one primary-key lookup per pair; an OR
          // of ANDs makes SQLite read every state row of the room (all members of a big room).
          .where((eb) =>
            eb(
              eb.refTuple("s.type", "s.state_key"),
              "in",
              Array.from({ length: count }, (_, i) => eb.tuple(p(`t${i}`), p(`k${i}`))),
            ),
          ),
      );
      stateQueries.set(count, query);
    }
    return query;
  };
  const pushActionColumns = [
    "user_id",
    "event_id",
    "room_id",
    "thread_id",
    "actions",
    "highlight",
    "ts",
    "stream_ordering",
  ] as const;
  const insertPushActions = new PreparedInsert(pushActionColumns, (q, rows) =>
    q
      .insertInto("event_push_actions")
      .values(rows)
      .onConflict((oc) => oc.columns(["user_id", "event_id"]).doNothing()),
  );
  const pushActionRows = (events: ReadonlyArray<{ event: NewEvent; streamOrdering: number }>) =>
    events.flatMap(({ event: e, streamOrdering }) =>
      (e.pushActions ?? []).map((r) => ({
        user_id: r.userId,
        event_id: r.eventId,
        room_id: r.roomId,
        thread_id: r.threadId,
        actions: JSON.stringify(r.actions),
        highlight: r.highlight ? 1 : 0,
        ts: r.ts,
        stream_ordering: streamOrdering,
      })),
    );

  const getEvents = async (eventIds: string[]) => {
    if (eventIds.length === 0) return [];
    const rows: Selectable<EventsTable>[] = [];
    // Chunked: SQLite limits bound parameters per statement.
    for (let i = 0; i < eventIds.length; i += 500) {
      rows.push(
        ...(await db
          .selectFrom("events")
          .selectAll()
          .where("event_id", "in", eventIds.slice(i, i + 500))
          .execute()),
      );
    }
    return rows.map(toStored);
  };

  /** One event's writes inside the caller's transaction: the event row, its state change and state
   * history, forward extremities, transaction ID, redaction, search entry, push actions, relation. */
  /** Push actions are left to the caller, which inserts those of all its events at once. Returns
   * the event's stream position and whether it was new. */
  const persistOne = async (trx: Transaction<Database>, e: NewEvent): Promise<[number, boolean]> => {
    const [existing] = (await streamOrderingOf.execute(trx, { eventId: e.eventId })).rows;
    if (existing) return [Number(existing.stream_ordering), false];
    const streamOrdering = await nextStreamPosition(trx, "events");
    const roomId = e.newRoom?.roomId ?? (e.pdu.room_id as string);
    if (e.newRoom) {
      await trx
        .insertInto("rooms")
        .values({
          room_id: e.newRoom.roomId,
          version: e.newRoom.version,
          creator: e.newRoom.creator,
          created_ts: e.newRoom.createdTs,
          is_public: 0,
        })
        .execute();
    }
    let replacesState: string | null = null;
    const stateKey = e.pdu.state_key;
    if (e.isState && stateKey !== undefined) {
      const previous = await trx
        .selectFrom("current_state")
        .select("event_id")
        .where("room_id", "=", roomId)
        .where("type", "=", e.pdu.type)
        .where("state_key", "=", stateKey)
        .executeTakeFirst();
      replacesState = previous?.event_id ?? null;
      const membership =
        e.pdu.type === "m.room.member" && typeof e.pdu.content.membership === "string"
          ? e.pdu.content.membership
          : null;
      const row = {
        room_id: roomId,
        type: e.pdu.type,
        state_key: stateKey,
        event_id: e.eventId,
        membership,
        stream_ordering: streamOrdering,
      };
      await trx
        .insertInto("current_state")
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(["room_id", "type", "state_key"])
            .doUpdateSet({ event_id: e.eventId, membership, stream_ordering: streamOrdering }),
        )
        .execute();
      await trx
        .insertInto("state_history")
        .values({
          room_id: roomId,
          type: e.pdu.type,
          state_key: stateKey,
          stream_ordering: streamOrdering,
          event_id: e.eventId,
        })
        .execute();
    }
    await insertEvent.execute(trx, {
      event_id: e.eventId,
      room_id: roomId,
      stream_ordering: streamOrdering,
      depth: e.pdu.depth,
      type: e.pdu.type,
      state_key: stateKey ?? null,
      sender: e.pdu.sender,
      origin_server_ts: e.pdu.origin_server_ts,
      json: JSON.stringify(e.pdu),
      redacted_by: null,
      replaces_state: replacesState,
    });
    if (searchIndex.add) {
      const searchable = searchEntryOf(e.pdu);
      if (searchable) await searchIndex.add(trx, { streamOrdering, roomId, ...searchable });
    }
    if (e.prevEventIds.length === 1) {
      await dropExtremity.execute(trx, { roomId, eventId: e.prevEventIds[0] });
    } else if (e.prevEventIds.length > 0) {
      await trx
        .deleteFrom("forward_extremities")
        .where("room_id", "=", roomId)
        .where("event_id", "in", e.prevEventIds)
        .execute();
    }
    await addExtremity.execute(trx, { roomId, eventId: e.eventId, depth: e.pdu.depth });
    if (e.txn) {
      const { numAffectedRows } = await insertTxn.execute(trx, { ...e.txn, eventId: e.eventId });
      if (numAffectedRows === 0n) throw new DuplicateTransactionError();
    }
    if (e.redacts) {
      await trx
        .updateTable("events")
        .set({ redacted_by: e.eventId })
        .where("event_id", "=", e.redacts)
        .where("redacted_by", "is", null)
        .execute();
      await searchIndex.remove(trx, e.redacts);
    }
    if (e.relation) {
      await trx
        .insertInto("event_relations")
        .values({
          event_id: e.eventId,
          room_id: roomId,
          relates_to: e.relation.eventId,
          rel_type: e.relation.relType,
          aggregation_key: e.relation.key ?? null,
          stream_ordering: streamOrdering,
        })
        .execute();
    }
    return [streamOrdering, true];
  };

  /** Events in order, then the push actions of those newly stored, all in one multi-row insert. */
  const persistAll = async (trx: Transaction<Database>, events: readonly NewEvent[]): Promise<number[]> => {
    const orderings: number[] = [];
    const fresh: Array<{ event: NewEvent; streamOrdering: number }> = [];
    for (const e of events) {
      const [ordering, isNew] = await persistOne(trx, e);
      orderings.push(ordering);
      if (isNew) fresh.push({ event: e, streamOrdering: ordering });
    }
    await insertPushActions.execute(trx, pushActionRows(fresh));
    return orderings;
  };

  return {
    ...sqlRelations(db),
    ...sqlRoomBatchReads(db),

    async getRoom(roomId) {
      const row = await db.selectFrom("rooms").selectAll().where("room_id", "=", roomId).executeTakeFirst();
      if (!row) return undefined;
      return {
        roomId: row.room_id,
        version: row.version,
        creator: row.creator,
        createdTs: Number(row.created_ts),
        isPublic: Boolean(row.is_public),
      };
    },

    async setPublic(roomId, isPublic) {
      await db
        .updateTable("rooms")
        .set({ is_public: isPublic ? 1 : 0 })
        .where("room_id", "=", roomId)
        .execute();
    },

    async persistEvent(e) {
      const [ordering] = await db.transaction().execute((trx) => persistAll(trx, [e]));
      searchIndex.stored();
      return ordering as number;
    },

    async persistEvents(events) {
      const orderings = await db.transaction().execute((trx) => persistAll(trx, events));
      searchIndex.stored();
      return orderings;
    },

    async eventForTxn(userId, deviceId, txnId) {
      const [row] = (await txnEvent.execute(db, { userId, deviceId, txnId })).rows;
      return row?.event_id;
    },

    async forwardExtremities(roomId) {
      const { rows } = await extremitiesOf.execute(db, { roomId });
      return rows.map((r) => ({ eventId: r.event_id, depth: Number(r.depth) }));
    },

    async getEvent(eventId) {
      const [row] = (await eventById.execute(db, { eventId })).rows;
      return row ? toStored(row) : undefined;
    },

    getEvents,

    async currentState(roomId, keys) {
      if (keys && keys.length > 0 && keys.length <= MAX_PREPARED_STATE_KEYS) {
        const args: Record<string, unknown> = { roomId };
        keys.forEach(([type, stateKey], i) => {
          args[`t${i}`] = type;
          args[`k${i}`] = stateKey;
        });
        return (await stateByKeys(keys.length).execute(db, args)).rows.map(toStored);
      }
      let q = db
        .selectFrom("current_state as s")
        .innerJoin("events as e", "e.event_id", "s.event_id")
        .selectAll("e")
        .where("s.room_id", "=", roomId);
      if (keys) {
        if (keys.length === 0) return [];
        q = q.where((eb) =>
          eb(
            eb.refTuple("s.type", "s.state_key"),
            "in",
            keys.map(([type, stateKey]) => eb.tuple(type, stateKey)),
          ),
        );
      }
      return (await q.execute()).map(toStored);
    },

    async stateAt(roomId, streamOrdering, types) {
      let q = db
        .selectFrom("state_history as h")
        .innerJoin("events as e", "e.event_id", "h.event_id")
        .selectAll("e")
        .where("h.room_id", "=", roomId)
        .where(
          "h.stream_ordering",
          "=",
          sql<number>`(select max(h2.stream_ordering) from state_history h2 where h2.room_id = h.room_id and h2.type = h.type and h2.state_key = h.state_key and h2.stream_ordering <= ${streamOrdering})`,
        );
      if (types) {
        if (types.length === 0) return [];
        q = q.where("h.type", "in", types);
      }
      return (await q.execute()).map(toStored);
    },

    async stateHistory(roomId, keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom("state_history as h")
        .innerJoin("events as e", "e.event_id", "h.event_id")
        .selectAll("e")
        .where("h.room_id", "=", roomId)
        .where((eb) =>
          eb.or(
            keys.map(([type, stateKey]) =>
              eb.and([eb("h.type", "=", type), eb("h.state_key", "=", stateKey)]),
            ),
          ),
        )
        .orderBy("h.stream_ordering")
        .execute();
      return rows.map(toStored);
    },

    async membershipsOf(userId) {
      const { rows } = await membershipsOfUser.execute(db, { type: "m.room.member", userId });
      return rows.map(toMembership);
    },

    async members(roomId, membership) {
      if (membership) {
        const { rows } = await membersWith.execute(db, { roomId, type: "m.room.member", membership });
        return rows.map(toMembership);
      }
      const { rows } = await allMembers.execute(db, { roomId, type: "m.room.member" });
      return rows.map(toMembership);
    },

    async timeline(roomId, { from, to, direction, limit }) {
      let q = db.selectFrom("events").select(STORED_EVENT_COLUMNS).where("room_id", "=", roomId).limit(limit);
      if (direction === "f") {
        q = q.where("stream_ordering", ">", from).orderBy("stream_ordering", "asc");
        if (to !== undefined) q = q.where("stream_ordering", "<=", to);
      } else {
        q = q.where("stream_ordering", "<", from).orderBy("stream_ordering", "desc");
        if (to !== undefined) q = q.where("stream_ordering", ">", to);
      }
      return (await q.execute()).map(toStored);
    },

    async roomsWithEventsBetween(from, to) {
      const { rows } = await roomsWithEvents.execute(db, { from, to });
      return rows.map((r) => r.room_id);
    },

    async eventsByTimestamp(roomId, { ts, direction, limit, offset }) {
      let q = db
        .selectFrom("events")
        .selectAll()
        .where("room_id", "=", roomId)
        .limit(limit)
        .offset(offset ?? 0);
      q =
        direction === "f"
          ? q
              .where("origin_server_ts", ">=", ts)
              .orderBy("origin_server_ts", "asc")
              .orderBy("stream_ordering", "asc")
          : q
              .where("origin_server_ts", "<=", ts)
              .orderBy("origin_server_ts", "desc")
              .orderBy("stream_ordering", "desc");
      return (await q.execute()).map(toStored);
    },

    maxStreamOrdering: () => currentStreamPosition(db, "events"),
  };
}
