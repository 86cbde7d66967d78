/**
 * State resolution: the state of a room where branches of its event graph merge
 * (server-server-api.md "Room State Resolution"), with the algorithm the room version names —
 * `stateResolution: "v1" | "v2" | "v2.1"`.
 */

import type { RoomVersion } from "../room-versions.js";
import type { GetEvent, ResolveOptions, StateMap } from "./types.js";
import { resolveV1 } from "./v1.js";
import { resolveV2 } from "./v2.js";
import { stateResolutionVerdicts } from "./verdicts.js";

export type { GetEvent, ResolveOptions, StateMap } from "./types.js";

/**
 * Resolves `stateSets` (each a map from `stateMapKey(type, state_key)` to event ID) into one state
 * map. `getEvent` must know every event of the state sets and of their auth chains; the result does
 * not depend on the order of the state sets.
 */
export function resolveState(
  version: RoomVersion,
  stateSets: readonly StateMap[],
  getEvent: GetEvent,
  options: ResolveOptions = {},
): Map<string, string> {
  if (stateSets.length === 0) return new Map();
  if (stateSets.length === 1) return new Map(stateSets[0]);
  const verdicts = stateResolutionVerdicts(options.verdicts);
  switch (version.stateResolution) {
    case "v1":
      return resolveV1(version, stateSets, getEvent, verdicts);
    case "v2":
    case "v2.1":
      return resolveV2(version, stateSets, getEvent, verdicts);
  }
}
