/**
 * Rooms and their events. Each event is stored once, as its signed PDU; the timeline, current state
 * and state history are views over it. Writes to one room happen under that room's lock (the Lock
 * port), so `persistEvent` sees the extremities and state it was built from.
 */
import type { Pdu } from "../../protocol/pdu.js";
import type { PushActionRecord } from "./push.js";
import type { RelationRepository } from "./relations.js";
import type { RoomBatchReads } from "./room-batch-reads.js";

/** A client transaction (`NewEvent.txn`) that already produced an event: the unit of work that
 * would record it again stores nothing and fails with this. */
export class DuplicateTransactionError extends Error {
  constructor() {
    super("client transaction already recorded");
  }
}

export interface RoomRecord {
  roomId: string;
  version: string;
  creator: string;
  createdTs: number;
  /** Published in the public room directory. */
  isPublic: boolean;
}

export interface StoredEvent {
  eventId: string;
  roomId: string;
  pdu: Pdu;
  /** Position on the events stream: the order in which this server accepted events. */
  streamOrdering: number;
  /** The redaction event that redacted this one, if any. */
  redactedBy: string | null;
  /** For state events: the event this one replaced in the room state. */
  replacesState: string | null;
}

export interface StateEntry {
  type: string;
  stateKey: string;
  eventId: string;
}

export interface NewEvent {
  eventId: string;
  pdu: Pdu;
  /** Set on the create event: the room row is created with it. */
  newRoom?: Omit<RoomRecord, "isPublic">;
  /** True when the event changes current state (a state event that passed the auth rules). */
  isState: boolean;
  /** The event IDs this event supersedes as forward extremities (its prev_events). */
  prevEventIds: string[];
  /** The idempotency key of a client send. */
  txn?: { userId: string; deviceId: string; txnId: string };
  /** The event this redaction redacts, marked redacted in the same unit of work. */
  redacts?: string;
  /** Notifications this event raises, stored with it so counts never lag the event. */
  pushActions?: PushActionRecord[];
  /** `m.relates_to` of the content, indexed for /relations. */
  relation?: { eventId: string; relType: string; key?: string };
}

export interface MembershipEntry {
  roomId: string;
  userId: string;
  membership: string;
  eventId: string;
  streamOrdering: number;
}

export interface RoomRepository extends RelationRepository, RoomBatchReads {
  getRoom(roomId: string): Promise<RoomRecord | undefined>;
  setPublic(roomId: string, isPublic: boolean): Promise<void>;
  /** Stores the event, its current-state change, forward extremities, transaction ID and relation in
   * one unit of work; returns its stream ordering. An event already stored is not stored again; a
   * `txn` already recorded fails it with DuplicateTransactionError. */
  persistEvent(event: NewEvent): Promise<number>;
  /** Several events of one room, in order, in one unit of work (group commit): all are stored or
   * none. Returns their stream orderings. */
  persistEvents(events: NewEvent[]): Promise<number[]>;
  /** The event a client transaction produced, for idempotent sends. */
  eventForTxn(userId: string, deviceId: string, txnId: string): Promise<string | undefined>;
  /** The room's forward extremities with their depths. */
  forwardExtremities(roomId: string): Promise<Array<{ eventId: string; depth: number }>>;
  getEvent(eventId: string): Promise<StoredEvent | undefined>;
  getEvents(eventIds: string[]): Promise<StoredEvent[]>;
  /** Current state; `keys` restricts it to those (type, state_key) pairs. */
  currentState(roomId: string, keys?: Array<[string, string]>): Promise<StoredEvent[]>;
  /** The state after the event at `streamOrdering` was applied (history of current state). */
  stateAt(roomId: string, streamOrdering: number, types?: string[]): Promise<StoredEvent[]>;
  /** Every state event that ever held one of these (type, state_key) slots, in stream order. */
  stateHistory(roomId: string, keys: Array<[string, string]>): Promise<StoredEvent[]>;
  /** Memberships of a user in every room (current state), with the member event's stream ordering. */
  membershipsOf(userId: string): Promise<MembershipEntry[]>;
  /** Current members of a room, optionally only those with one membership. */
  members(roomId: string, membership?: string): Promise<MembershipEntry[]>;
  /** Events of a room in stream order after `from` (exclusive) up to `to` (inclusive), forwards, or
   * before `from` (exclusive) down to `to` (exclusive) backwards. */
  timeline(
    roomId: string,
    options: { from: number; to?: number; direction: "f" | "b"; limit: number },
  ): Promise<StoredEvent[]>;
  /** Rooms that have events with stream ordering in (from, to]. */
  roomsWithEventsBetween(from: number, to: number): Promise<string[]>;
  /** Events of a room by `origin_server_ts`: from `ts` onwards (`f`, oldest first) or back from it
   * (`b`, newest first), for `/timestamp_to_event`. */
  eventsByTimestamp(
    roomId: string,
    options: { ts: number; direction: "f" | "b"; limit: number; offset?: number },
  ): Promise<StoredEvent[]>;
  /** The highest stream ordering so far. */
  maxStreamOrdering(): Promise<number>;
}
