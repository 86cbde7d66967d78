import type { MembershipEntry } from "../../ports/store/rooms.js";

/** A member event's row of `current_state`, as the membership reads select it. */
export interface MembershipRow {
  room_id: string;
  state_key: string;
  membership: string | null;
  event_id: string;
  stream_ordering: number;
}

export function toMembership(r: MembershipRow): MembershipEntry {
  return {
    roomId: r.room_id,
    userId: r.state_key,
    membership: r.membership ?? "leave",
    eventId: r.event_id,
    streamOrdering: Number(r.stream_ordering),
  };
}
