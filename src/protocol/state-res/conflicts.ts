/**
 * Unconflicted state map and conflicted state set (content/rooms/v2.md, "Definitions"): a key is
 * unconflicted when every state set has it with the same event.
 */

import type { StateMap } from "./types.js";

export interface Separated {
  unconflicted: Map<string, string>;
  /** Key → the distinct events the state sets hold for it. */
  conflicted: Map<string, Set<string>>;
}

/** v2: a key missing from some state set is conflicted. */
export function separateV2(stateSets: readonly StateMap[]): Separated {
  const unconflicted = new Map<string, string>();
  const conflicted = new Map<string, Set<string>>();
  const [first, ...rest] = stateSets;
  if (!first) return { unconflicted, conflicted };
  // A key is unconflicted only if it is in the first set; every other key is conflicted.
  for (const [key, id] of first) {
    if (rest.every((set) => set.get(key) === id)) unconflicted.set(key, id);
  }
  for (const set of stateSets) {
    for (const [key, id] of set) {
      if (unconflicted.has(key)) continue;
      let ids = conflicted.get(key);
      if (!ids) {
        ids = new Set();
        conflicted.set(key, ids);
      }
      ids.add(id);
    }
  }
  return { unconflicted, conflicted };
}

/** v1: only keys where state sets hold different events conflict; a key some sets lack is not a
 * conflict (content/rooms/v1.md: "different event_ids for the same (event_type, state_key)"). */
export function separateV1(stateSets: readonly StateMap[]): Separated {
  const values = new Map<string, Set<string>>();
  for (const set of stateSets) {
    for (const [key, id] of set) {
      let ids = values.get(key);
      if (!ids) {
        ids = new Set();
        values.set(key, ids);
      }
      ids.add(id);
    }
  }
  const unconflicted = new Map<string, string>();
  const conflicted = new Map<string, Set<string>>();
  for (const [key, ids] of values) {
    if (ids.size === 1) unconflicted.set(key, ids.values().next().value!);
    else conflicted.set(key, ids);
  }
  return { unconflicted, conflicted };
}
