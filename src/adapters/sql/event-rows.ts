import type { Selectable } from "kysely";
import type { StoredEvent } from "../../ports/store/rooms.js";
import type { Pdu } from "../../protocol/pdu.js";
import type { EventsTable } from "./schema.js";

/** The columns `toStored` reads. Reads that return many events select just these: type, sender and
 * the other columns repeat what the JSON holds, and each one costs a JS value per row (an initial
 * sync of 50 rooms reads 850 events). */
export const STORED_EVENT_COLUMNS = [
  "event_id",
  "room_id",
  "stream_ordering",
  "json",
  "redacted_by",
  "replaces_state",
] as const;
/** `STORED_EVENT_COLUMNS` of the `events` table aliased as `e`. */
export const STORED_EVENT_COLUMNS_OF_E = STORED_EVENT_COLUMNS.map((column) => `e.${column}` as const);

export type StoredEventRow = Pick<Selectable<EventsTable>, (typeof STORED_EVENT_COLUMNS)[number]>;

/** An `events` row as the store port returns it: the PDU parsed from its JSON. */
export const toStored = (r: StoredEventRow): StoredEvent => ({
  eventId: r.event_id,
  roomId: r.room_id,
  pdu: JSON.parse(r.json) as Pdu,
  streamOrdering: Number(r.stream_ordering),
  redactedBy: r.redacted_by,
  replacesState: r.replaces_state,
});
