/**
 * Property tests: on random forks of a room, the resolved state does not depend on the order of the
 * state sets nor on the order of the entries (events) inside them, resolving a state with itself
 * gives it back, and every resolved entry is an event with that key from the inputs' histories.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkAuth } from "../auth/check-auth.js";
import type { JsonObject } from "../json.js";
import { POWER_LEVELS_KEY, stateMapKeyOf } from "../pdu.js";
import { ADMIN, ALICE, BOB, CAROL, DAVE, ERIN, isV12, member } from "../testing/auth-table.js";
import { ALL_SIGNATURES_VALID, type EventSpec, type RoomSnapshot, TestRoom } from "../testing/test-room.js";
import { resolveState } from "./resolve.js";

const USERS = [ALICE, ADMIN, BOB, CAROL, DAVE, ERIN];
const KINDS = [
  "topic",
  "name",
  "join",
  "leave",
  "kick",
  "ban",
  "invite",
  "promote",
  "demote",
  "joinRule",
] as const;

interface Op {
  fork: number;
  kind: (typeof KINDS)[number];
  actor: number;
  target: number;
  ts: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  fork: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom(...KINDS),
  actor: fc.integer({ min: 0, max: USERS.length - 1 }),
  target: fc.integer({ min: 0, max: USERS.length - 1 }),
  ts: fc.integer({ min: 0, max: 6 }),
});

function specFor(op: Op, room: TestRoom, v: string): EventSpec {
  const actor = USERS[op.actor]!;
  const target = USERS[op.target]!;
  const ts = 10_000 + op.ts; // few distinct timestamps, so ties happen
  switch (op.kind) {
    case "topic":
    case "name":
      return {
        type: `m.room.${op.kind}`,
        sender: actor,
        state_key: "",
        content: { [op.kind]: `${op.ts}` },
        ts,
      };
    case "join":
      return { ...member(actor, "join"), ts };
    case "leave":
      return { ...member(actor, "leave"), ts };
    case "kick":
      return { ...member(target, "leave", actor), ts };
    case "ban":
      return { ...member(target, "ban", actor), ts };
    case "invite":
      return { ...member(target, "invite", actor), ts };
    case "promote":
    case "demote": {
      const current = room.state.get(POWER_LEVELS_KEY);
      const users = { ...((current?.pdu.content.users as JsonObject | undefined) ?? {}) };
      if (!(isV12(v) && target === ALICE)) users[target] = op.kind === "promote" ? 50 + op.ts * 10 : 0;
      return { type: "m.room.power_levels", sender: actor, state_key: "", content: { users }, ts };
    }
    case "joinRule":
      return {
        type: "m.room.join_rules",
        sender: actor,
        state_key: "",
        content: { join_rule: op.ts % 2 === 0 ? "public" : "invite" },
        ts,
      };
  }
}

/** A base room, then the ops applied to three forks of it (refused ops are dropped, as a server
 * would refuse to send them). */
function forkedRoom(v: string, ops: Op[]): { room: TestRoom; sets: Map<string, string>[] } {
  const room = new TestRoom(v, ALICE);
  room.send(member(ALICE, "join"));
  const users: JsonObject = { [ADMIN]: 100, [BOB]: 50 };
  if (!isV12(v)) users[ALICE] = 100;
  room.send({ type: "m.room.power_levels", sender: ALICE, state_key: "", content: { users } });
  room.send({ type: "m.room.join_rules", sender: ALICE, state_key: "", content: { join_rule: "public" } });
  for (const user of [ADMIN, BOB, CAROL]) room.send(member(user, "join"));
  const start = room.snapshot();
  const forks: RoomSnapshot[] = [start, start, start];
  for (const op of ops) {
    room.restore(forks[op.fork]!);
    const event = room.build(specFor(op, room, v));
    if (checkAuth(event, room.state, room.version, ALL_SIGNATURES_VALID).allowed) room.add(event);
    forks[op.fork] = room.snapshot();
  }
  const sets = forks.map((f) => new Map([...f.state].map(([key, event]) => [key, event.eventId])));
  return { room, sets };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const sorted = (state: Map<string, string>) => [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe.each(["1", "2", "10", "12"])("state resolution properties, room version %s", (v) => {
  test("the result depends neither on the order of the state sets nor on the order of their entries", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.nat(), (ops, seed) => {
        const { room, sets } = forkedRoom(v, ops);
        const expected = resolveState(room.version, sets, room.getEvent);
        const reordered = shuffled(sets, seed).map((set, i) => new Map(shuffled([...set], seed + i + 1)));
        const events = new Map(shuffled([...room.events], seed + 7));
        const actual = resolveState(room.version, reordered, (id) => events.get(id));
        expect(sorted(actual)).toEqual(sorted(expected));
      }),
      { numRuns: 150 },
    );
  });

  test("resolving a state with copies of itself gives it back", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 15 }), fc.integer({ min: 0, max: 2 }), (ops, which) => {
        const { room, sets } = forkedRoom(v, ops);
        const state = sets[which]!;
        expect(sorted(resolveState(room.version, [state, new Map(state)], room.getEvent))).toEqual(
          sorted(state),
        );
      }),
      { numRuns: 60 },
    );
  });

  test("every resolved entry is a known event stored under its own key", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
        const { room, sets } = forkedRoom(v, ops);
        for (const [key, id] of resolveState(room.version, sets, room.getEvent)) {
          const event = room.getEvent(id);
          expect(event).toBeDefined();
          expect(stateMapKeyOf(event!.pdu)).toBe(key);
        }
      }),
      { numRuns: 60 },
    );
  });
});
