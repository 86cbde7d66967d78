/** One room's timeline window for /sync, read on its own (the batched path in joined-rooms.ts falls
 * back to it when hidden or filtered events thin out the newest ones). */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { RoomEventFilter } from "../filters/filter-schema.js";
import { matchesFilter } from "../rooms/room-reader.js";
import { canSeeEvent, loadVisibilityContext, type VisibilityContext } from "../rooms/visibility.js";
import type { SyncRequest } from "./sync-source.js";

const DEFAULT_TIMELINE_LIMIT = 10;
const MAX_TIMELINE_LIMIT = 100;

export interface Timeline {
  events: StoredEvent[];
  limited: boolean;
  ctx: VisibilityContext;
}

export function timelineLimit(filter: RoomEventFilter | undefined): number {
  return Math.min(filter?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT);
}

/** Timeline events in (since, upTo], newest `limit` the user may see, oldest first. */
export async function readTimeline(
  rooms: RoomRepository,
  request: SyncRequest,
  roomId: string,
  since: number | undefined,
  upTo: number,
): Promise<Timeline> {
  const filter = request.filter.room?.timeline;
  const limit = timelineLimit(filter);
  const userId = request.requester.userId;
  const ctx = await loadVisibilityContext(rooms, roomId, userId);
  const picked: StoredEvent[] = [];
  let cursor = upTo + 1;
  let limited = false;
  for (;;) {
    const batch = await rooms.timeline(roomId, {
      from: cursor,
      to: since,
      direction: "b",
      limit: limit + 1,
    });
    for (const e of batch) {
      cursor = e.streamOrdering;
      if (!canSeeEvent(ctx, userId, e) || !matchesFilter(e.pdu, filter)) continue;
      if (picked.length === limit) {
        limited = true;
        break;
      }
      picked.push(e);
    }
    if (limited || batch.length < limit + 1) break;
  }
  picked.reverse();
  return { events: picked, limited, ctx };
}

/** Lazy-loading members: only the member events of the timeline's senders (and the user). */
export function lazyMembers(
  state: StoredEvent[],
  timeline: StoredEvent[],
  request: SyncRequest,
): StoredEvent[] {
  if (!request.filter.room?.state?.lazy_load_members) return state;
  const needed = new Set(timeline.map((e) => e.pdu.sender));
  needed.add(request.requester.userId);
  return state.filter((e) => e.pdu.type !== "m.room.member" || needed.has(e.pdu.state_key ?? ""));
}
