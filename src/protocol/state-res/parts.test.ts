/** The building blocks of state resolution, on small hand-made auth DAGs. */

import { describe, expect, test } from "vitest";
import type { Pdu, RoomEvent } from "../pdu.js";
import { version } from "../testing/test-room.js";
import { authChainOf, authDifference } from "./auth-chain.js";
import { compareCodePoints } from "./compare.js";
import { conflictedSubgraph } from "./conflicted-subgraph.js";
import { MinHeap } from "./heap.js";
import { mainline, mainlineOrder } from "./mainline.js";
import { reverseTopologicalPowerOrder } from "./power-order.js";
import { sha1Hex } from "./sha1.js";
import { isPowerEvent } from "./v2.js";

/** A DAG of events given as id → [type, sender, auth ids, ts, content?]. */
function dag(spec: Record<string, [string, string, string[], number, Pdu["content"]?]>) {
  const events = new Map<string, RoomEvent>();
  for (const [id, [type, sender, auth, ts, content]] of Object.entries(spec)) {
    const pdu: Pdu = {
      room_id: "!r:x",
      type,
      sender,
      state_key: type === "m.room.member" ? sender : "",
      content: content ?? {},
      prev_events: [],
      auth_events: auth,
      depth: 1,
      origin_server_ts: ts,
      hashes: { sha256: "" },
      signatures: {},
    };
    events.set(id, { eventId: id, pdu });
  }
  return (id: string) => events.get(id);
}

describe("sha1", () => {
  // FIPS 180 examples, padding edge cases (55, 56, 64 bytes) and UTF-8 input; the last four were
  // computed with Python's hashlib.
  test.each([
    ["", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
    ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"],
    ["a".repeat(55), "c1c8bbdc22796e28c0e15163d20899b65621d65a"],
    ["a".repeat(56), "c2db330f6083854c99d4b5bfb6e8f29f201be699"],
    ["a".repeat(64), "0098ba824b5c16427bd7a1122a5a442a25ec644d"],
    ["é", "bf15be717ac1b080b4f1c456692825891ff5073d"],
    ["$event:example.org", "fd84c361425e06ee5b43f3eae4f1bae546599a09"],
  ])("sha1(%j)", (text, hex) => {
    expect(sha1Hex(text)).toBe(hex);
  });

  test("a million a's (multi-block)", () => {
    expect(sha1Hex("a".repeat(1_000_000))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });
});

describe("compareCodePoints", () => {
  test.each([
    ["a", "b", -1],
    ["b", "a", 1],
    ["a", "a", 0],
    ["a", "ab", -1],
    ["$A", "$a", -1],
    // U+FF5E (fullwidth tilde) is below U+1F600 (an emoji, a surrogate pair) in code point order,
    // though its UTF-16 unit 0xFF5E is above the surrogate 0xD83D.
    ["\uff5e", "\u{1f600}", -1],
    ["\u{1f600}", "\uff5e", 1],
  ] as const)("%j vs %j", (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
  });
});

describe("MinHeap", () => {
  test("pops in order", () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const n of [5, 3, 9, 1, 7, 1, 0]) heap.push(n);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual([0, 1, 1, 3, 5, 7, 9]);
  });
});

// create ← join(alice) ← pl1 ← pl2 ← pl3; topic events cite various power levels.
const getEvent = dag({
  create: ["m.room.create", "@alice:x", [], 1, { creator: "@alice:x" }],
  ja: ["m.room.member", "@alice:x", ["create"], 2, { membership: "join" }],
  pl1: ["m.room.power_levels", "@alice:x", ["create", "ja"], 3, { users: { "@alice:x": 100, "@bob:x": 50 } }],
  jb: ["m.room.member", "@bob:x", ["create", "pl1"], 4, { membership: "join" }],
  pl2: ["m.room.power_levels", "@alice:x", ["create", "ja", "pl1"], 5, { users: { "@alice:x": 100 } }],
  pl3: ["m.room.power_levels", "@alice:x", ["create", "ja", "pl2"], 6, { users: { "@alice:x": 100 } }],
  t1: ["m.room.topic", "@bob:x", ["create", "jb", "pl1"], 10],
  t2: ["m.room.topic", "@alice:x", ["create", "ja", "pl2"], 9],
  t3: ["m.room.topic", "@alice:x", ["create", "ja", "pl3"], 8],
  t0: ["m.room.topic", "@alice:x", ["create", "ja"], 11],
});

describe("auth chains", () => {
  test("the auth chain excludes the event itself", () => {
    expect(authChainOf(["pl2"], getEvent)).toEqual(new Set(["create", "ja", "pl1"]));
  });

  test("auth difference: events in some chains but not all", () => {
    const a = new Map([["k", "pl3"]]);
    const b = new Map([["k", "t1"]]);
    // C(a) = {create, ja, pl2, pl1}; C(b) = {create, jb, pl1, ja}.
    expect(authDifference([a, b], getEvent)).toEqual(new Set(["pl2", "jb"]));
  });

  test("auth difference of identical sets is empty", () => {
    const a = new Map([["k", "pl3"]]);
    expect(authDifference([a, new Map(a)], getEvent)).toEqual(new Set());
  });
});

describe("conflicted state subgraph (v2.1)", () => {
  test("every event on a path between conflicted events, endpoints included", () => {
    // pl3 → pl2 → pl1: with pl3 and pl1 conflicted, pl2 lies between them; ja and create do not
    // lead to a conflicted event.
    expect(conflictedSubgraph(new Set(["pl3", "pl1"]), getEvent)).toEqual(new Set(["pl3", "pl2", "pl1"]));
  });

  test("unrelated conflicted events form no subgraph", () => {
    expect(conflictedSubgraph(new Set(["t1", "t3"]), getEvent)).toEqual(new Set());
  });

  test("a path through a non-power event", () => {
    // t1 → jb → pl1: jb is between.
    expect(conflictedSubgraph(new Set(["t1", "pl1"]), getEvent)).toEqual(new Set(["t1", "jb", "pl1"]));
  });
});

describe("mainline ordering", () => {
  test("the mainline of pl3 is pl3, pl2, pl1", () => {
    expect([...mainline("pl3", getEvent)]).toEqual([
      ["pl3", 0],
      ["pl2", 1],
      ["pl1", 2],
    ]);
  });

  test("older power first, then timestamp", () => {
    // Positions: t1 → pl1 (2), t2 → pl2 (1), t3 → pl3 (0), t0 cites no power levels (∞).
    const events = ["t3", "t1", "t0", "t2"].map((id) => getEvent(id)!);
    expect(mainlineOrder(events, "pl3", getEvent).map((e) => e.eventId)).toEqual(["t0", "t1", "t2", "t3"]);
  });

  test("a power levels event off the mainline takes the position of its chain", () => {
    const forked = dag({
      create: ["m.room.create", "@a:x", [], 1],
      p1: ["m.room.power_levels", "@a:x", ["create"], 2],
      p2: ["m.room.power_levels", "@a:x", ["create", "p1"], 3],
      side: ["m.room.power_levels", "@a:x", ["create", "p1"], 4],
      onSide: ["m.room.topic", "@a:x", ["create", "side"], 1],
      onP2: ["m.room.topic", "@a:x", ["create", "p2"], 100],
    });
    // onSide's chain: side (not on the mainline of p2) → p1 (position 1): earlier than onP2 (0).
    const events = ["onP2", "onSide"].map((id) => forked(id)!);
    expect(mainlineOrder(events, "p2", forked).map((e) => e.eventId)).toEqual(["onSide", "onP2"]);
  });

  test("equal position and timestamp: event ID decides", () => {
    const tied = dag({
      p: ["m.room.power_levels", "@a:x", [], 1],
      $b: ["m.room.topic", "@a:x", ["p"], 5],
      $a: ["m.room.topic", "@a:x", ["p"], 5],
    });
    const events = ["$b", "$a"].map((id) => tied(id)!);
    expect(mainlineOrder(events, "p", tied).map((e) => e.eventId)).toEqual(["$a", "$b"]);
  });
});

describe("reverse topological power ordering", () => {
  const v10 = version("10");

  test("auth events come first", () => {
    const order = reverseTopologicalPowerOrder(["pl3", "pl1", "pl2"], getEvent, v10).map((e) => e.eventId);
    expect(order).toEqual(["pl1", "pl2", "pl3"]);
  });

  test("among ready events: higher sender power first, then earlier timestamp, then smaller ID", () => {
    const g = dag({
      create: ["m.room.create", "@a:x", [], 1, { creator: "@a:x" }],
      pl: ["m.room.power_levels", "@a:x", ["create"], 2, { users: { "@a:x": 100, "@b:x": 50, "@c:x": 50 } }],
      low: ["m.room.join_rules", "@c:x", ["create", "pl"], 1],
      high: ["m.room.join_rules", "@a:x", ["create", "pl"], 9],
      midLate: ["m.room.join_rules", "@b:x", ["create", "pl"], 5],
      midEarly: ["m.room.join_rules", "@c:x", ["create", "pl"], 4],
      $y: ["m.room.join_rules", "@b:x", ["create", "pl"], 5],
    });
    const order = reverseTopologicalPowerOrder(["low", "high", "midLate", "midEarly", "$y"], g, v10).map(
      (e) => e.eventId,
    );
    // high (100); then the 50s by timestamp: low (1), midEarly (4), then $y and midLate (5) by ID.
    expect(order).toEqual(["high", "low", "midEarly", "$y", "midLate"]);
  });

  test("without power levels the creator counts as 100, others as 0", () => {
    const g = dag({
      create: ["m.room.create", "@a:x", [], 1, { creator: "@a:x" }],
      other: ["m.room.join_rules", "@b:x", ["create"], 1],
      creator: ["m.room.join_rules", "@a:x", ["create"], 2],
    });
    expect(reverseTopologicalPowerOrder(["other", "creator"], g, v10).map((e) => e.eventId)).toEqual([
      "creator",
      "other",
    ]);
  });
});

describe("power events", () => {
  const pdu = (type: string, sender: string, stateKey: string | undefined, content: Pdu["content"]): Pdu => ({
    type,
    sender,
    content,
    prev_events: [],
    auth_events: [],
    depth: 1,
    origin_server_ts: 1,
    hashes: { sha256: "" },
    signatures: {},
    ...(stateKey === undefined ? {} : { state_key: stateKey }),
  });
  test.each([
    ["power levels", pdu("m.room.power_levels", "@a:x", "", {}), true],
    ["join rules", pdu("m.room.join_rules", "@a:x", "", {}), true],
    ["a kick", pdu("m.room.member", "@a:x", "@b:x", { membership: "leave" }), true],
    ["a ban", pdu("m.room.member", "@a:x", "@b:x", { membership: "ban" }), true],
    ["leaving", pdu("m.room.member", "@b:x", "@b:x", { membership: "leave" }), false],
    ["a join", pdu("m.room.member", "@b:x", "@b:x", { membership: "join" }), false],
    ["an invite", pdu("m.room.member", "@a:x", "@b:x", { membership: "invite" }), false],
    ["a topic", pdu("m.room.topic", "@a:x", "", {}), false],
    ["a message of type power levels", pdu("m.room.power_levels", "@a:x", undefined, {}), false],
  ] as const)("%s", (_name, event, expected) => {
    expect(isPowerEvent(event)).toBe(expected);
  });
});
