/**
 * Auth chains and the auth difference (content/rooms/v2.md, "Definitions"): "The auth chain of an
 * event E is the set containing all of E's auth events, all of their auth events, and so on
 * recursively"; the auth difference is ∪Cᵢ − ∩Cᵢ over the full auth chains Cᵢ of the state sets.
 *
 * Walks are iterative (auth chains of large rooms are far deeper than the call stack) and each event
 * is visited once per walk.
 */

import { authEventIds } from "../pdu.js";
import type { GetEvent, StateMap } from "./types.js";

/** The union of the auth chains of `starts` (the starts themselves only if one is an ancestor of
 * another). Events `getEvent` does not know end the walk there. */
export function authChainOf(starts: Iterable<string>, getEvent: GetEvent): Set<string> {
  const chain = new Set<string>();
  const stack: string[] = [];
  for (const id of starts) {
    const event = getEvent(id);
    if (event) for (const parent of authEventIds(event.pdu)) stack.push(parent);
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (chain.has(id)) continue;
    chain.add(id);
    const event = getEvent(id);
    if (!event) continue;
    for (const parent of authEventIds(event.pdu)) if (!chain.has(parent)) stack.push(parent);
  }
  return chain;
}

/** ∪Cᵢ − ∩Cᵢ, where Cᵢ is the union of the auth chains of the events of state set i. */
export function authDifference(stateSets: readonly StateMap[], getEvent: GetEvent): Set<string> {
  // How many state sets' chains reach each event: the difference is those reached by fewer than all.
  const reachedBy = new Map<string, number>();
  for (const set of stateSets) {
    for (const id of authChainOf(set.values(), getEvent)) reachedBy.set(id, (reachedBy.get(id) ?? 0) + 1);
  }
  const difference = new Set<string>();
  for (const [id, count] of reachedBy) if (count < stateSets.length) difference.add(id);
  return difference;
}
