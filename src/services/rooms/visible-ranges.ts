/**
 * History visibility as stream ranges: what `canSeeEvent` decides event by event, turned into the
 * ranges of stream positions a user may see, so a store query can filter a room's related events
 * (children, thread replies, edits) itself instead of loading them to check each one.
 */
import type { StreamRange } from "../../ports/store/relations.js";
import type { StoredEvent } from "../../ports/store/rooms.js";
import { canSeeEvent, type VisibilityContext } from "./visibility.js";

/** Visibility only changes where the user's membership or the room's history visibility changes, so
 * it is constant between those positions and one check per stretch decides the whole stretch. (The
 * exception that a user always sees their own membership events does not concern relations.) */
export function visibleRanges(ctx: VisibilityContext, userId: string): StreamRange[] {
  const breaks = [
    ...new Set([0, ...ctx.memberships.map((c) => c.at), ...ctx.visibilities.map((c) => c.at)]),
  ].sort((a, b) => a - b);
  const ranges: StreamRange[] = [];
  breaks.forEach((from, i) => {
    const next = breaks[i + 1];
    const to = next === undefined ? null : next - 1;
    const probe = { streamOrdering: from, pdu: { type: "", sender: "" } } as unknown as StoredEvent;
    if (!canSeeEvent(ctx, userId, probe)) return;
    const last = ranges.at(-1);
    if (last && last.to !== null && last.to + 1 === from) last.to = to;
    else ranges.push({ from, to });
  });
  return ranges;
}
