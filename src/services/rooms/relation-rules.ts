/**
 * Rules a new event's relationship must pass before this server accepts it from a client. Called by
 * the event creator under the room's lock, so the checks and the write are one step: two identical
 * reactions sent at once cannot both pass the duplicate check.
 */
import type { RoomRepository } from "../../ports/store/rooms.js";
import { isJsonObject } from "../../protocol/json.js";
import { MatrixError } from "../errors.js";

export interface NewRelation {
  eventId: string;
  relType: string;
  key?: string;
}

export async function checkNewRelation(
  rooms: RoomRepository,
  event: { roomId: string; sender: string; type: string },
  relation: NewRelation,
): Promise<void> {
  const parent = await rooms.getEvent(relation.eventId);
  // "As with all event relationships, the original event and replacement event must have the same
  // room_id"; Synapse refuses such a send rather than storing a relationship everyone ignores.
  if (parent && parent.roomId !== event.roomId) {
    throw new MatrixError(400, "M_UNKNOWN", "Relations must be in the same room as the event they relate to");
  }
  if (relation.relType === "m.thread" && parent) {
    // Spec: threading "Validation of m.thread relationships" — a thread root may not itself be the
    // child of a relationship (one with a rel_type; a plain reply may start a thread).
    const relatesTo = parent.pdu.content["m.relates_to"];
    if (isJsonObject(relatesTo) && typeof relatesTo.rel_type === "string") {
      throw new MatrixError(400, "M_UNKNOWN", "Cannot start a thread from an event with a relation");
    }
  }
  if (relation.relType === "m.annotation" && relation.key !== undefined) {
    // Spec: event annotations "Avoiding duplicate annotations" (unless the first one was redacted).
    const existing = await rooms.findAnnotation(relation.eventId, event.sender, event.type, relation.key);
    if (existing) {
      throw new MatrixError(
        400,
        "M_DUPLICATE_ANNOTATION",
        "You have already sent this annotation for this event",
      );
    }
  }
}
