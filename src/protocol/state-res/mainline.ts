/**
 * Mainline ordering (content/rooms/v2.md, "Definitions"). The mainline of a power levels event P is P
 * and the chain of power levels events each cites in `auth_events`. An event's mainline position is
 * the index in that list of the first power levels event on its own chain of cited power levels events
 * (the event itself excluded), or ∞ when its chain never meets the mainline. Events sort by greater
 * position first (older power), then smaller `origin_server_ts`, then smaller `event_id`.
 */

import { authEventIds, POWER_LEVELS_KEY, type RoomEvent, stateMapKeyOf } from "../pdu.js";
import { compareCodePoints } from "./compare.js";
import type { GetEvent } from "./types.js";

/** The power levels event an event cites, if any. */
function citedPowerLevels(event: RoomEvent, getEvent: GetEvent): RoomEvent | undefined {
  for (const id of authEventIds(event.pdu)) {
    const authEvent = getEvent(id);
    if (authEvent && stateMapKeyOf(authEvent.pdu) === POWER_LEVELS_KEY) return authEvent;
  }
  return undefined;
}

/** Event ID → index in the mainline of `powerLevelsId` (P₀ = 0). */
export function mainline(powerLevelsId: string | undefined, getEvent: GetEvent): Map<string, number> {
  const indices = new Map<string, number>();
  let current = powerLevelsId === undefined ? undefined : getEvent(powerLevelsId);
  while (current && !indices.has(current.eventId)) {
    indices.set(current.eventId, indices.size);
    current = citedPowerLevels(current, getEvent);
  }
  return indices;
}

export function mainlineOrder(
  events: readonly RoomEvent[],
  powerLevelsId: string | undefined,
  getEvent: GetEvent,
): RoomEvent[] {
  const line = mainline(powerLevelsId, getEvent);
  // position(x) for every event whose chain has been walked: shared tails are walked once.
  const positions = new Map<string, number>();
  const positionOf = (event: RoomEvent): number => {
    const walked: string[] = [];
    const onChain = new Set<string>(); // guards a forged (v1/v2) cycle of power levels events
    let current = event;
    let position = Number.POSITIVE_INFINITY;
    for (;;) {
      const known = positions.get(current.eventId);
      if (known !== undefined) {
        position = known;
        break;
      }
      walked.push(current.eventId);
      onChain.add(current.eventId);
      const cited = citedPowerLevels(current, getEvent);
      if (!cited) break;
      const index = line.get(cited.eventId);
      if (index !== undefined) {
        position = index;
        break;
      }
      if (onChain.has(cited.eventId)) break;
      current = cited;
    }
    for (const id of walked) positions.set(id, position);
    return position;
  };

  const keyed = events.map((event) => ({ event, position: positionOf(event) }));
  keyed.sort((a, b) => {
    if (a.position !== b.position) return a.position > b.position ? -1 : 1;
    const ta = a.event.pdu.origin_server_ts;
    const tb = b.event.pdu.origin_server_ts;
    if (ta !== tb) return ta - tb;
    return compareCodePoints(a.event.eventId, b.event.eventId);
  });
  return keyed.map((k) => k.event);
}
