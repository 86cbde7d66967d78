/**
 * The one path by which this server creates room events. Every event is a full PDU of the room's
 * version (prev_events, auth_events, depth, content hash, signature), checked by the protocol core's
 * auth rules against the room's current state, and persisted atomically with its state change and
 * stream position under the room's lock. Federation reuses it unchanged.
 */
import type { Clock } from "../../ports/clock.js";
import type { Lock } from "../../ports/lock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { PushActionRecord } from "../../ports/store/push.js";
import {
  DuplicateTransactionError,
  type NewEvent,
  type RoomRepository,
  type StoredEvent,
} from "../../ports/store/rooms.js";
import { checkAuth } from "../../protocol/auth/check-auth.js";
import { authEventKeys } from "../../protocol/auth/select-auth-events.js";
import { computeEventId, generateEventIdV1 } from "../../protocol/event-id.js";
import type { JsonObject } from "../../protocol/json.js";
import { isJsonObject } from "../../protocol/json.js";
import { CREATE_KEY, type Pdu, parseStateMapKey, type RoomEvent, stateMapKey } from "../../protocol/pdu.js";
import { computeRoomIdFromCreateEvent, generateRoomId } from "../../protocol/room-id.js";
import type { RoomVersion } from "../../protocol/room-versions.js";
import { forbidden, MatrixError } from "../errors.js";
import type { ServerSigner } from "../server-keys/server-keys.js";
import { EventSigner } from "./event-signer.js";
import { GroupCommitQueue, yieldToIo } from "./group-commit-queue.js";
import { checkNewRelation } from "./relation-rules.js";
import type { RoomVersionCache } from "./room-version-cache.js";

/** Citing more forward extremities than this makes events huge; the newest ones are enough. */
const MAX_PREV_EVENTS = 10;

export interface EventDraft {
  roomId: string;
  sender: string;
  type: string;
  content: JsonObject;
  stateKey?: string;
  /** Client transaction, for idempotency and `unsigned.transaction_id`. */
  txn?: { userId: string; deviceId: string; txnId: string };
}

/** An event that passed the auth rules and is about to be stored. */
export interface PersistingEvent {
  eventId: string;
  roomId: string;
  pdu: Pdu;
  version: RoomVersion;
}

/**
 * Work bound to storing an event (push actions for unread counts): `beforePersist` runs under the
 * room lock once the event passed the auth rules, before it is stored, so what it writes is in place
 * when the event becomes visible; `afterPersist` runs after the commit; `persistFailed` when
 * storing threw.
 */
/** What a hook adds to the event's unit of work. */
export interface PersistAdditions {
  pushActions?: PushActionRecord[];
}

/**
 * What a holder of a room's lock has read about the room, shared by the events it creates in one go
 * (a group-commit batch of plain messages, or one event); a hook may memoise its reads here.
 * - `room`: facts about the room's current state (auth events, members, power levels). Plain
 *   messages change none of it, so after a batch of them it is kept for the room's next batch, and
 *   reused only if the room's forward extremities are then exactly the one that batch left: any
 *   other event added to the room since (a state change, a redaction, another process's write)
 *   leaves a different extremity behind.
 * - `holding`: what may change without an event in the room (push rules): this holding only.
 */
export interface LockScope {
  room: Map<string, unknown>;
  holding: Map<string, unknown>;
}

/** Where `LockScope.room` holds the room's current state events the event creator read for the
 * auth rules (`Map<stateMapKey, RoomEvent>`: at least the create event, and the power levels if
 * any, for every event it creates). */
export const authStateKey = (roomId: string) => `auth-state:${roomId}`;

/** The state keys `authStateKey`'s map has been read for (a key without an event is absent there). */
const authKeysReadKey = (roomId: string) => `auth-keys-read:${roomId}`;

/** Rooms whose `LockScope.room` is kept for their next batch; past this many, all are forgotten. */
const MAX_KEPT_SCOPES = 10_000;

export interface PersistHook {
  /** Runs under the room lock after the auth rules passed; what it returns is stored atomically
   * with the event. `scope` is shared by the events created under this holding of the lock (its
   * `room` part may last longer, see LockScope). */
  beforePersist(event: PersistingEvent, scope: LockScope): Promise<PersistAdditions | undefined>;
  afterPersist?(event: PersistingEvent & { streamOrdering: number }): void;
  persistFailed?(event: PersistingEvent): void;
}

export interface CreatedEvent {
  eventId: string;
  streamOrdering: number;
  pdu: Pdu;
}

export class EventCreator {
  /** Plain messages are group-committed per room (see group-commit-queue.ts). */
  private readonly messages: GroupCommitQueue<EventDraft, CreatedEvent>;
  private readonly eventSigner: EventSigner;
  /** By room: the `room` part of the last plain-message batch's scope, and the one forward
   * extremity that batch left (see LockScope). */
  private readonly keptScopes = new Map<string, { extremity: string; room: Map<string, unknown> }>();

  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly signer: ServerSigner,
    private readonly clock: Clock,
    private readonly lock: Lock,
    private readonly notifier: Notifier,
    private readonly hooks: readonly PersistHook[] = [],
  ) {
    this.messages = new GroupCommitQueue(
      lock,
      (roomId, drafts) => this.createMessages(roomId, drafts),
      clock,
    );
    this.eventSigner = new EventSigner(signer);
  }

  /** Creates a room by building, signing and storing its `m.room.create` event. */
  async createRoom(
    sender: string,
    version: RoomVersion,
    content: JsonObject,
  ): Promise<CreatedEvent & { roomId: string }> {
    const draft: JsonObject = {
      sender,
      type: "m.room.create",
      state_key: "",
      content,
      prev_events: [],
      auth_events: [],
      depth: 1,
      origin_server_ts: this.clock.now(),
    };
    let roomId: string;
    if (version.authorization.roomIdFromCreateEvent) {
      // The room ID is the create event's hash: the same sender creating rooms with the same content
      // in the same millisecond would get one room twice. A taken ID moves the timestamp on.
      for (let attempt = 0; ; attempt++) {
        const signed = await this.eventSigner.sign(draft, version);
        roomId = await computeRoomIdFromCreateEvent(signed, version);
        const created = await this.finishCreate(roomId, signed as Pdu, version, sender);
        if (created || attempt >= 100) {
          if (!created) throw new MatrixError(500, "M_UNKNOWN", "Could not find a free room ID");
          return created;
        }
        draft.origin_server_ts = (draft.origin_server_ts as number) + 1;
      }
    }
    roomId = generateRoomId(this.signer.serverName);
    if (version.eventIdFormat === "v1") draft.event_id = generateEventIdV1(this.signer.serverName);
    const signed = await this.eventSigner.sign({ ...draft, room_id: roomId }, version);
    const created = await this.finishCreate(roomId, signed as Pdu, version, sender);
    if (!created) throw new MatrixError(500, "M_UNKNOWN", "Room ID collision");
    return created;
  }

  /** Stores the create event unless the room ID is taken (then undefined: checked under the room's
   * lock, so two creators racing for one ID cannot both get it). */
  private async finishCreate(roomId: string, pdu: Pdu, version: RoomVersion, sender: string) {
    const eventId = await computeEventId(pdu, version);
    const verdict = checkAuth({ eventId, pdu }, new Map(), version);
    if (!verdict.allowed) throw forbidden(verdict.reason);
    const streamOrdering = await this.lock.run(roomId, async () => {
      if (await this.rooms.getRoom(roomId)) return undefined;
      this.keptScopes.delete(roomId);
      return this.rooms.persistEvent({
        eventId,
        pdu,
        isState: true,
        prevEventIds: [],
        newRoom: { roomId, version: version.id, creator: sender, createdTs: pdu.origin_server_ts },
      });
    });
    if (streamOrdering === undefined) return undefined;
    this.notifier.notify({ stream: "events", position: streamOrdering, roomId });
    return { roomId, eventId, streamOrdering, pdu };
  }

  /** Builds, checks and stores one event in an existing room; returns the stored event. An event
   * the auth rules refuse is not stored, and the caller gets 403 M_FORBIDDEN with the rule's reason. */
  async create(draft: EventDraft): Promise<CreatedEvent> {
    if (!isPlainMessage(draft)) return this.createAlone(draft);
    const created = await this.messages.submit(draft.roomId, draft);
    // Recipients first: the long-polls this message woke build and write their responses before the
    // sender's answer goes out. With SQLite a woken sync runs to its response within this one turn;
    // the sender's client already shows its own message (local echo), the others are waiting.
    // Only plain messages: matrix-js-sdk loses its local echo of a redaction whose remote echo comes
    // down /sync before the answer to the send (test/e2e/sdk-rooms.test.ts, "a redaction strips...").
    await yieldToIo();
    return created;
  }

  /** An event that is not group-committed (state, relations, redactions): alone under the lock. */
  private async createAlone(draft: EventDraft): Promise<CreatedEvent> {
    const created = await this.lock.run(draft.roomId, async () => {
      // A state event, redaction or relation may change what a kept scope knows: forgotten now, not
      // left to the extremity check of the next batch.
      this.keptScopes.delete(draft.roomId);
      if (draft.txn) {
        const existing = await this.rooms.eventForTxn(draft.txn.userId, draft.txn.deviceId, draft.txn.txnId);
        if (existing) {
          const stored = (await this.rooms.getEvent(existing)) as StoredEvent;
          return {
            eventId: stored.eventId,
            streamOrdering: stored.streamOrdering,
            pdu: stored.pdu,
            fresh: false,
          };
        }
      }
      const version = await this.versions.get(draft.roomId);
      const rules = version.authorization;

      const subject = {
        type: draft.type,
        sender: draft.sender,
        state_key: draft.stateKey,
        content: draft.content,
      };
      const keys = authEventKeys(subject, rules);
      const state = new Map<string, RoomEvent>();
      await this.readState(draft.roomId, new Set([...keys, CREATE_KEY]), state);
      const authEvents = keys.map((k) => state.get(k)).filter((e): e is StoredEvent => e !== undefined);

      const extremities = (await this.rooms.forwardExtremities(draft.roomId))
        .sort((a, b) => b.depth - a.depth)
        .slice(0, MAX_PREV_EVENTS);
      const depth = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, ...extremities.map((e) => e.depth)) + 1);
      const prevEvents =
        version.eventIdFormat === "v1" ? await this.rooms.getEvents(extremities.map((e) => e.eventId)) : [];

      let content = draft.content;
      const pduDraft: JsonObject = {
        room_id: draft.roomId,
        sender: draft.sender,
        type: draft.type,
        content,
        prev_events: await this.eventSigner.references(
          extremities.map((e) => e.eventId),
          prevEvents,
          version,
        ),
        auth_events: await this.eventSigner.references(
          authEvents.map((e) => e.eventId),
          authEvents,
          version,
        ),
        depth,
        origin_server_ts: this.clock.now(),
      };
      if (draft.stateKey !== undefined) pduDraft.state_key = draft.stateKey;
      // Before room version 11 `redacts` is a top-level key (content/rooms/v11.md "Event format").
      if (
        draft.type === "m.room.redaction" &&
        !rules.redactsInContent &&
        typeof content.redacts === "string"
      ) {
        const { redacts, ...rest } = content;
        content = rest;
        pduDraft.content = rest;
        pduDraft.redacts = redacts;
      }
      if (version.eventIdFormat === "v1") pduDraft.event_id = generateEventIdV1(this.signer.serverName);

      const { pdu, eventId } = await this.eventSigner.signAndIdentify(pduDraft, version);
      const verdict = checkAuth({ eventId, pdu }, state, version);
      if (!verdict.allowed) throw forbidden(verdict.reason);

      const newEvent: NewEvent = {
        eventId,
        pdu,
        isState: draft.stateKey !== undefined,
        prevEventIds: extremities.map((e) => e.eventId),
      };
      if (draft.txn) newEvent.txn = draft.txn;
      const redacts = draft.type === "m.room.redaction" ? (pdu.redacts ?? pdu.content.redacts) : undefined;
      if (typeof redacts === "string") newEvent.redacts = redacts;
      const relation = relationOf(content);
      if (relation) {
        // Under the room lock, so a duplicate reaction sent concurrently cannot pass this check too.
        await checkNewRelation(this.rooms, draft, relation);
        newEvent.relation = relation;
      }
      const persisting: PersistingEvent = { eventId, roomId: draft.roomId, pdu, version };
      const scope: LockScope = { room: new Map([[authStateKey(draft.roomId), state]]), holding: new Map() };
      for (const hook of this.hooks) {
        const additions = await hook.beforePersist(persisting, scope);
        if (additions?.pushActions?.length) {
          newEvent.pushActions = [...(newEvent.pushActions ?? []), ...additions.pushActions];
        }
      }
      let streamOrdering: number;
      try {
        streamOrdering = await this.rooms.persistEvent(newEvent);
      } catch (error) {
        for (const hook of this.hooks) hook.persistFailed?.(persisting);
        throw error;
      }
      return { eventId, streamOrdering, pdu, fresh: true, persisting };
    });
    if (created.fresh) {
      // A membership event also concerns its target, who is not (yet) in the room: an invitee's
      // long-polling sync must wake for the invite.
      const target = draft.type === "m.room.member" ? draft.stateKey : undefined;
      this.notifier.notify({
        stream: "events",
        position: created.streamOrdering,
        roomId: draft.roomId,
        ...(target === undefined ? {} : { userIds: [target] }),
      });
    }
    if (created.persisting) {
      const done = { ...created.persisting, streamOrdering: created.streamOrdering };
      for (const hook of this.hooks) hook.afterPersist?.(done);
    }
    return { eventId: created.eventId, streamOrdering: created.streamOrdering, pdu: created.pdu };
  }

  /**
   * A batch of plain messages (no state, no relation, no redaction) for one room, under its lock:
   * the auth state and extremities are read once, the events are chained (each cites the previous
   * as its prev_event), and all are stored in one transaction. One event refused by the auth rules
   * does not affect the others.
   */
  private async createMessages(
    roomId: string,
    drafts: EventDraft[],
    /** Look each client transaction up first. Not on the first attempt: a transaction seen before
     * (a client's retry) fails the store's unit of work, and the batch is made again with lookups,
     * which saves a read on every other message. */
    lookUpTxns = false,
  ): Promise<Array<CreatedEvent | Error>> {
    const version = await this.versions.get(roomId);
    const rules = version.authorization;
    const results: Array<CreatedEvent | Error | undefined> = new Array(drafts.length);
    const pending: Array<{ index: number; draft: EventDraft }> = [];
    const sameTxn = new Map<number, number>();
    const firstWithTxn = new Map<string, number>();
    for (const [index, draft] of drafts.entries()) {
      if (draft.txn) {
        const key = `${draft.txn.userId}\u0000${draft.txn.deviceId}\u0000${draft.txn.txnId}`;
        const first = firstWithTxn.get(key);
        if (first !== undefined) {
          sameTxn.set(index, first);
          continue;
        }
        firstWithTxn.set(key, index);
        const existing = lookUpTxns
          ? await this.rooms.eventForTxn(draft.txn.userId, draft.txn.deviceId, draft.txn.txnId)
          : undefined;
        const stored = existing ? await this.rooms.getEvent(existing) : undefined;
        if (stored) {
          results[index] = {
            eventId: stored.eventId,
            streamOrdering: stored.streamOrdering,
            pdu: stored.pdu,
          };
          continue;
        }
      }
      pending.push({ index, draft });
    }

    const subjectOf = (d: EventDraft) => ({ type: d.type, sender: d.sender, content: d.content });
    const extremities = (await this.rooms.forwardExtremities(roomId))
      .sort((a, b) => b.depth - a.depth)
      .slice(0, MAX_PREV_EVENTS + 1);
    const scope: LockScope = { room: this.keptScope(roomId, extremities), holding: new Map() };
    const state = (scope.room.get(authStateKey(roomId)) as Map<string, RoomEvent> | undefined) ?? new Map();
    const keysRead = (scope.room.get(authKeysReadKey(roomId)) as Set<string> | undefined) ?? new Set();
    scope.room.set(authStateKey(roomId), state);
    scope.room.set(authKeysReadKey(roomId), keysRead);
    const keys = new Set([CREATE_KEY]);
    for (const { draft } of pending) for (const key of authEventKeys(subjectOf(draft), rules)) keys.add(key);
    const unread = [...keys].filter((k) => !keysRead.has(k));
    if (unread.length > 0) {
      await this.readState(roomId, unread, state);
      for (const k of unread) keysRead.add(k);
    }
    const cited = extremities.slice(0, MAX_PREV_EVENTS);
    let prevEventIds = cited.map((e) => e.eventId);
    let depth = Math.max(0, ...cited.map((e) => e.depth)) + 1;
    const prevEvents = version.eventIdFormat === "v1" ? await this.rooms.getEvents(prevEventIds) : [];

    const built: Array<{ index: number; event: NewEvent; persisting: PersistingEvent }> = [];
    for (const { index, draft } of pending) {
      try {
        const authEvents = authEventKeys(subjectOf(draft), rules)
          .map((k) => state.get(k))
          .filter((e): e is StoredEvent => e !== undefined);
        const pduDraft: JsonObject = {
          room_id: roomId,
          sender: draft.sender,
          type: draft.type,
          content: draft.content,
          prev_events: await this.eventSigner.references(prevEventIds, prevEvents, version),
          auth_events: await this.eventSigner.references(
            authEvents.map((e) => e.eventId),
            authEvents,
            version,
          ),
          depth,
          origin_server_ts: this.clock.now(),
        };
        if (version.eventIdFormat === "v1") pduDraft.event_id = generateEventIdV1(this.signer.serverName);
        const { pdu, eventId } = await this.eventSigner.signAndIdentify(pduDraft, version);
        const verdict = checkAuth({ eventId, pdu }, state, version);
        if (!verdict.allowed) {
          results[index] = forbidden(verdict.reason);
          continue;
        }
        const event: NewEvent = { eventId, pdu, isState: false, prevEventIds };
        if (draft.txn) event.txn = draft.txn;
        const persisting: PersistingEvent = { eventId, roomId, pdu, version };
        for (const hook of this.hooks) {
          const additions = await hook.beforePersist(persisting, scope);
          if (additions?.pushActions?.length)
            event.pushActions = [...(event.pushActions ?? []), ...additions.pushActions];
        }
        built.push({ index, event, persisting });
        prevEventIds = [eventId];
        prevEvents.splice(0, prevEvents.length, {
          eventId,
          roomId,
          pdu,
          streamOrdering: 0,
          redactedBy: null,
          replacesState: null,
        });
        depth += 1;
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }

    if (built.length > 0) {
      let orderings: number[];
      try {
        orderings = await this.rooms.persistEvents(built.map((b) => b.event));
      } catch (error) {
        for (const b of built) for (const hook of this.hooks) hook.persistFailed?.(b.persisting);
        if (error instanceof DuplicateTransactionError && !lookUpTxns) {
          return this.createMessages(roomId, drafts, true);
        }
        for (const b of built) results[b.index] = error instanceof Error ? error : new Error(String(error));
        orderings = [];
      }
      built.forEach((b, k) => {
        const streamOrdering = orderings[k];
        if (streamOrdering === undefined) return;
        results[b.index] = { eventId: b.event.eventId, streamOrdering, pdu: b.event.pdu };
        for (const hook of this.hooks) hook.afterPersist?.({ ...b.persisting, streamOrdering });
      });
      const last = orderings.at(-1);
      if (last !== undefined) this.notifier.notify({ stream: "events", position: last, roomId });
      // Every extremity was cited, so the batch's last event is now the room's only one.
      const lastEvent = built.at(-1)?.event.eventId;
      if (last !== undefined && lastEvent && extremities.length <= MAX_PREV_EVENTS) {
        this.keepScope(roomId, lastEvent, scope.room);
      }
    }
    for (const [index, first] of sameTxn) results[index] = results[first];
    return results.map((r) => r ?? new Error("event was not processed"));
  }

  /** Reads the room's current state events for `keys` (stateMapKey form) into `state`. */
  private async readState(roomId: string, keys: Iterable<string>, state: Map<string, RoomEvent>) {
    const pairs = [...keys].map((k): [string, string] => {
      const { type, stateKey } = parseStateMapKey(k);
      return [type, stateKey];
    });
    for (const e of await this.rooms.currentState(roomId, pairs)) {
      state.set(stateMapKey(e.pdu.type, e.pdu.state_key ?? ""), e);
    }
  }

  /** The room facts kept from the room's last batch if `extremities` are the one it left, else an
   * empty map; either way no longer kept (the caller keeps it again once its batch is stored). */
  private keptScope(roomId: string, extremities: ReadonlyArray<{ eventId: string }>): Map<string, unknown> {
    const kept = this.keptScopes.get(roomId);
    this.keptScopes.delete(roomId);
    const same = kept && extremities.length === 1 && extremities[0]?.eventId === kept.extremity;
    return same ? kept.room : new Map();
  }

  private keepScope(roomId: string, extremity: string, room: Map<string, unknown>): void {
    if (this.keptScopes.size >= MAX_KEPT_SCOPES) this.keptScopes.clear();
    this.keptScopes.set(roomId, { extremity, room });
  }
}

/** Messages that change no state and relate to nothing: the group-committed kind. */
function isPlainMessage(draft: EventDraft): boolean {
  return draft.stateKey === undefined && draft.type !== "m.room.redaction" && !relationOf(draft.content);
}

/** The relation an event declares in `content["m.relates_to"]` (spec: "Forming relationships between
 * events"); replies (`m.in_reply_to` alone) are not relations. */
export function relationOf(
  content: JsonObject,
): { eventId: string; relType: string; key?: string } | undefined {
  const relatesTo = content["m.relates_to"];
  if (!isJsonObject(relatesTo)) return undefined;
  const eventId = relatesTo.event_id;
  const relType = relatesTo.rel_type;
  if (typeof eventId !== "string" || typeof relType !== "string") return undefined;
  const key = relatesTo.key;
  return typeof key === "string" ? { eventId, relType, key } : { eventId, relType };
}
