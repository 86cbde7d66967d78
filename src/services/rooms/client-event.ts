/**
 * The client format of room events (spec: client-server-api "Room event format"): the PDU's
 * client-visible fields plus `unsigned` (age, prev_content, replaces_state, redacted_because).
 * Redacted events are shown redacted to everyone (the original is kept for compliance only).
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import { redactEvent } from "../../protocol/redaction.js";
import type { RedactionRules } from "../../protocol/room-versions.js";
import type { RoomVersionCache } from "./room-version-cache.js";

export interface ClientEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  state_key?: string;
  content: JsonObject;
  origin_server_ts: number;
  redacts?: string;
  unsigned: JsonObject;
}

/** Formats events for a client, loading what `unsigned` needs in one batch per kind. */
export async function formatClientEvents(
  rooms: RoomRepository,
  versions: RoomVersionCache,
  events: StoredEvent[],
  now: number,
): Promise<ClientEvent[]> {
  const related = new Set<string>();
  for (const e of events) {
    if (e.redactedBy) related.add(e.redactedBy);
    if (e.replacesState) related.add(e.replacesState);
  }
  const relatedEvents = new Map((await rooms.getEvents([...related])).map((e) => [e.eventId, e]));
  const rules = new Map<string, RedactionRules>();
  for (const e of events) {
    if (!rules.has(e.roomId)) rules.set(e.roomId, (await versions.get(e.roomId)).redaction);
  }
  return events.map((e) => formatOne(e, relatedEvents, now, rules.get(e.roomId) as RedactionRules));
}

function formatOne(
  e: StoredEvent,
  related: Map<string, StoredEvent>,
  now: number,
  rules: RedactionRules,
): ClientEvent {
  const redaction = e.redactedBy ? related.get(e.redactedBy) : undefined;
  const pdu = redaction ? redactedPdu(e, rules) : e.pdu;
  const unsigned: JsonObject = { age: Math.max(0, now - e.pdu.origin_server_ts) };
  if (redaction)
    unsigned.redacted_because = formatOne(redaction, new Map(), now, rules) as unknown as JsonObject;
  if (e.replacesState) {
    unsigned.replaces_state = e.replacesState;
    const previous = related.get(e.replacesState);
    if (previous) {
      unsigned.prev_content = previous.redactedBy
        ? redactedPdu(previous, rules).content
        : previous.pdu.content;
      unsigned.prev_sender = previous.pdu.sender;
    }
  }
  const event: ClientEvent = {
    event_id: e.eventId,
    room_id: e.roomId,
    sender: pdu.sender,
    type: pdu.type,
    content: pdu.content,
    origin_server_ts: pdu.origin_server_ts,
    unsigned,
  };
  if (pdu.state_key !== undefined) event.state_key = pdu.state_key;
  // Clients read `redacts` at the top level in every room version; v11+ also has it in content.
  const redacts = pdu.redacts ?? (typeof pdu.content.redacts === "string" ? pdu.content.redacts : undefined);
  if (pdu.type === "m.room.redaction" && redacts) event.redacts = redacts;
  return event;
}

function redactedPdu(e: StoredEvent, rules: RedactionRules) {
  return redactEvent(e.pdu as JsonObject, rules) as unknown as typeof e.pdu;
}
