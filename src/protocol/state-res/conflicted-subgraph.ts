/**
 * The conflicted state subgraph of state resolution v2.1 (content/rooms/v12.md, "Definitions";
 * MSC4297): every event on an `auth_events` path from one conflicted event to another, endpoints
 * included. Those are the events that are ancestors of a conflicted event and descendants of one.
 */

import { authEventIds } from "../pdu.js";
import type { GetEvent } from "./types.js";

export function conflictedSubgraph(conflicted: ReadonlySet<string>, getEvent: GetEvent): Set<string> {
  // reaches.get(x): whether some conflicted event is a proper ancestor of x. Filled bottom-up by an
  // iterative post-order walk over the ancestors of the conflicted events, each visited once.
  const reaches = new Map<string, boolean>();
  const ancestors = new Set<string>(); // reached from a conflicted event through at least one edge
  const stack: { id: string; parents: readonly string[]; next: number; found: boolean }[] = [];
  // Auth events form a DAG; the guard only keeps a malformed (v1/v2, origin-chosen IDs) cycle finite.
  const onStack = new Set<string>();

  const open = (id: string) => {
    const event = getEvent(id);
    onStack.add(id);
    stack.push({ id, parents: event ? authEventIds(event.pdu) : [], next: 0, found: false });
  };

  for (const start of conflicted) {
    if (reaches.has(start)) continue;
    open(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next < frame.parents.length) {
        const parent = frame.parents[frame.next++]!;
        ancestors.add(parent);
        const known = reaches.get(parent);
        if (known === undefined) {
          if (!onStack.has(parent)) open(parent);
          continue;
        }
        if (known || conflicted.has(parent)) frame.found = true;
        continue;
      }
      stack.pop();
      onStack.delete(frame.id);
      reaches.set(frame.id, frame.found);
      const child = stack[stack.length - 1];
      if (child && (frame.found || conflicted.has(frame.id))) child.found = true;
    }
  }

  const subgraph = new Set<string>();
  for (const id of conflicted) if (reaches.get(id)) subgraph.add(id);
  for (const id of ancestors) if (reaches.get(id)) subgraph.add(id);
  // Conflicted events that are the lower endpoint of a path (an ancestor of another conflicted event).
  for (const id of conflicted) if (ancestors.has(id)) subgraph.add(id);
  return subgraph;
}
