/**
 * History visibility (spec: client-server-api "History visibility"): whether a user may see an event,
 * from the user's membership history and the room's history visibility history, both as stream
 * positions — so a page of events is checked with two small queries, not one per event.
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";

interface Change {
  at: number;
  value: string;
}

export interface VisibilityContext {
  memberships: Change[];
  visibilities: Change[];
}

function valueAt(changes: Change[], at: number, fallback: string): string {
  let value = fallback;
  for (const change of changes) {
    if (change.at > at) break;
    value = change.value;
  }
  return value;
}

export async function loadVisibilityContext(
  rooms: RoomRepository,
  roomId: string,
  userId: string,
): Promise<VisibilityContext> {
  const history = await rooms.stateHistory(roomId, [
    ["m.room.member", userId],
    ["m.room.history_visibility", ""],
  ]);
  return visibilityContextFrom(history);
}

/** The context from the room's history of the user's member slot and the history visibility slot,
 * in stream order (one room's; `RoomBatchReads.visibilityHistoryOfRooms` loads many at once). */
export function visibilityContextFrom(history: StoredEvent[]): VisibilityContext {
  const memberships: Change[] = [];
  const visibilities: Change[] = [];
  for (const e of history) {
    if (e.pdu.type === "m.room.member") {
      memberships.push({ at: e.streamOrdering, value: String(e.pdu.content.membership ?? "leave") });
    } else {
      visibilities.push({
        at: e.streamOrdering,
        value: String(e.pdu.content.history_visibility ?? "shared"),
      });
    }
  }
  return { memberships, visibilities };
}

/** The spec's rules, with the state after the event (so a user sees their own join). */
export function canSeeEvent(ctx: VisibilityContext, userId: string, event: StoredEvent): boolean {
  if (event.pdu.type === "m.room.member" && event.pdu.state_key === userId) return true;
  const at = event.streamOrdering;
  // "shared" is the default when no m.room.history_visibility event exists.
  const visibility = valueAt(ctx.visibilities, at, "shared");
  if (visibility === "world_readable") return true;
  const membership = valueAt(ctx.memberships, at, "leave");
  if (membership === "join") return true;
  if (visibility === "shared") {
    // Visible to a user who is joined now or joined at any point after the event.
    return ctx.memberships.some((m) => m.at > at && m.value === "join");
  }
  if (visibility === "invited") return membership === "invite";
  return false;
}

/** Whether the user may read the room's current state: joined, or the room is world readable. */
export function currentMembership(ctx: VisibilityContext): string {
  return ctx.memberships.at(-1)?.value ?? "leave";
}
