import type { Selectable } from "kysely";
import type { StoredEvent } from "../../ports/store/rooms.js";
import type { Pdu } from "../../protocol/pdu.js";
import type { EventsTable } from "./schema.js";

/** An `events` row as the store port returns it: the PDU parsed from its JSON. */
export const toStored = (r: Selectable<EventsTable>): StoredEvent => ({
  eventId: r.event_id,
  roomId: r.room_id,
  pdu: JSON.parse(r.json) as Pdu,
  streamOrdering: Number(r.stream_ordering),
  redactedBy: r.redacted_by,
  replacesState: r.replaces_state,
});
