/**
 * Reverse topological power ordering (content/rooms/v2.md, "Definitions"): the lexicographically
 * smallest topological order of the auth DAG, earliest first, where x < y if x's sender has the
 * greater power level (looking at x's own auth events), then the smaller `origin_server_ts`, then the
 * smaller `event_id`. Kahn's algorithm, with a heap picking the smallest ready event: O(n log n).
 */

import {
  authEventIds,
  CREATE_KEY,
  createEventIdFromRoomId,
  POWER_LEVELS_KEY,
  type RoomEvent,
  stateMapKeyOf,
} from "../pdu.js";
import { powerLevelsFrom, userLevel } from "../power-levels.js";
import type { RoomVersion } from "../room-versions.js";
import { compareCodePoints } from "./compare.js";
import { MinHeap } from "./heap.js";
import type { GetEvent } from "./types.js";

/**
 * The sender's power level "when looking at their respective auth_events": the power levels and
 * create events the event cites (v12: the create event its room ID names). Without power levels the
 * creator has 100 and others 0; v12 creators are infinitely powerful, so they sort first (MSC4289).
 */
export function senderPowerLevel(event: RoomEvent, getEvent: GetEvent, version: RoomVersion): number {
  const rules = version.authorization;
  let powerLevels: RoomEvent | undefined;
  let create: RoomEvent | undefined;
  for (const id of authEventIds(event.pdu)) {
    const authEvent = getEvent(id);
    if (!authEvent) continue;
    const key = stateMapKeyOf(authEvent.pdu);
    if (key === POWER_LEVELS_KEY) powerLevels = authEvent;
    else if (key === CREATE_KEY) create = authEvent;
  }
  if (rules.roomIdFromCreateEvent && event.pdu.room_id !== undefined) {
    create = getEvent(createEventIdFromRoomId(event.pdu.room_id));
  }
  return userLevel(powerLevelsFrom(powerLevels?.pdu, create?.pdu, rules), event.pdu.sender);
}

interface Vertex {
  event: RoomEvent;
  level: number;
  /** Auth events of this event still unplaced (within the set). */
  pending: number;
  /** Events of the set that cite this one. */
  children: Vertex[];
}

function less(a: Vertex, b: Vertex): boolean {
  if (a.level !== b.level) return a.level > b.level;
  const ta = a.event.pdu.origin_server_ts;
  const tb = b.event.pdu.origin_server_ts;
  if (ta !== tb) return ta < tb;
  return compareCodePoints(a.event.eventId, b.event.eventId) < 0;
}

/** The events of `ids` (those `getEvent` knows) in reverse topological power ordering. */
export function reverseTopologicalPowerOrder(
  ids: Iterable<string>,
  getEvent: GetEvent,
  version: RoomVersion,
): RoomEvent[] {
  const vertices = new Map<string, Vertex>();
  for (const id of ids) {
    const event = getEvent(id);
    if (!event || vertices.has(id)) continue;
    vertices.set(id, { event, level: senderPowerLevel(event, getEvent, version), pending: 0, children: [] });
  }
  for (const vertex of vertices.values()) {
    // Only edges inside the set count; a repeated auth event is one edge.
    const parents = new Set(authEventIds(vertex.event.pdu));
    for (const parentId of parents) {
      const parent = vertices.get(parentId);
      if (!parent || parent === vertex) continue;
      parent.children.push(vertex);
      vertex.pending++;
    }
  }
  const ready = new MinHeap<Vertex>(less);
  for (const vertex of vertices.values()) if (vertex.pending === 0) ready.push(vertex);
  const order: RoomEvent[] = [];
  while (ready.size > 0) {
    const vertex = ready.pop()!;
    order.push(vertex.event);
    for (const child of vertex.children) if (--child.pending === 0) ready.push(child);
  }
  // Events caught in a cycle (impossible with hash-derived IDs; possible in a forged v1/v2 DAG) never
  // become ready; they are left out rather than ordered arbitrarily.
  return order;
}
