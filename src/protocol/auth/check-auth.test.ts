import { describe, expect, test } from "vitest";
import { CREATE_KEY } from "../pdu.js";
import {
  ALICE,
  ALL_VERSIONS,
  type AuthCase,
  BOB,
  CAROL,
  DAVE,
  expand,
  NONE,
  runCase,
  setMembership,
  standardRoom,
  versions,
} from "../testing/auth-table.js";
import { TestRoom } from "../testing/test-room.js";
import { checkAuth } from "./check-auth.js";

const ALL = [...ALL_VERSIONS];
const ALIASES_SPECIAL = versions("1", "5"); // m.room.aliases rule removed in v6
const NO_REDACTION_RULE = versions("3"); // the redaction domain rule is gone from v3

const message = (sender: string, extra: object = {}) => ({
  type: "m.room.message",
  sender,
  content: { msgtype: "m.text", body: "hi" },
  ...extra,
});

const cases: AuthCase[] = [
  // Membership.
  { name: "a member sends a message", allowIn: ALL, event: () => message(CAROL) },
  { name: "a non-member sends a message", allowIn: NONE, event: () => message(DAVE) },
  {
    name: "an invited user sends a message",
    allowIn: NONE,
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => message(DAVE),
  },
  {
    name: "a banned user sends a message",
    allowIn: NONE,
    setup: (room) => setMembership(room, CAROL, "ban", BOB),
    event: () => message(CAROL),
  },
  {
    name: "a user who left sends a state event",
    allowIn: NONE,
    setup: (room) => setMembership(room, BOB, "leave", BOB),
    event: () => ({ type: "m.room.topic", sender: BOB, state_key: "", content: { topic: "t" } }),
  },
  // Required power level.
  {
    name: "a member (0) sends a state event (state_default 50)",
    allowIn: NONE,
    event: () => ({ type: "m.room.topic", sender: CAROL, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "a moderator (50) sends a state event",
    allowIn: ALL,
    event: () => ({ type: "m.room.topic", sender: BOB, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "events overrides state_default downwards",
    allowIn: ALL,
    room: { powerLevels: { events: { "m.room.topic": 0 } } },
    event: () => ({ type: "m.room.topic", sender: CAROL, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "events overrides events_default upwards",
    allowIn: NONE,
    room: { powerLevels: { events: { "m.room.message": 10 } } },
    event: () => message(CAROL),
  },
  {
    name: "events_default raised above a member",
    allowIn: NONE,
    room: { powerLevels: { events_default: 1 } },
    event: () => message(CAROL),
  },
  {
    name: "state_default lowered to 0",
    allowIn: ALL,
    room: { powerLevels: { state_default: 0 } },
    event: () => ({ type: "m.room.topic", sender: CAROL, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "users_default raised to 50 lets a member send state",
    allowIn: ALL,
    room: { powerLevels: { users_default: 50 } },
    event: () => ({ type: "m.room.name", sender: CAROL, state_key: "", content: { name: "n" } }),
  },
  {
    name: "a custom state event type uses state_default, not events_default",
    allowIn: NONE,
    event: () => ({ type: "org.example.thing", sender: CAROL, state_key: "x", content: {} }),
  },
  {
    name: "a state event with an empty-string key counts as state",
    allowIn: NONE,
    event: () => ({ type: "org.example.thing", sender: CAROL, state_key: "", content: {} }),
  },
  {
    name: "a string events level (before v10 rooms)",
    appliesTo: versions("1", "9"),
    allowIn: versions("1", "9"),
    room: { powerLevels: { events: { "m.room.topic": "0" } } },
    event: () => ({ type: "m.room.topic", sender: CAROL, state_key: "", content: { topic: "t" } }),
  },
  // Without power levels: the creator has 100, everyone else 0 (v12: creators infinite).
  {
    name: "no power levels: the creator sends a state event",
    allowIn: ALL,
    room: { noPowerLevels: true },
    event: () => ({ type: "m.room.topic", sender: ALICE, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "no power levels: a member cannot send a state event",
    allowIn: NONE,
    room: { noPowerLevels: true },
    event: () => ({ type: "m.room.topic", sender: BOB, state_key: "", content: { topic: "t" } }),
  },
  {
    name: "no power levels: a member sends a message",
    allowIn: ALL,
    room: { noPowerLevels: true },
    event: () => message(BOB),
  },
  {
    name: "no power levels: the creator kicks",
    allowIn: ALL,
    room: { noPowerLevels: true },
    event: () => ({
      type: "m.room.member",
      sender: ALICE,
      state_key: CAROL,
      content: { membership: "leave" },
    }),
  },
  {
    name: "no power levels: a member cannot kick",
    allowIn: NONE,
    room: { noPowerLevels: true },
    event: () => ({ type: "m.room.member", sender: BOB, state_key: CAROL, content: { membership: "leave" } }),
  },
  // state_key starting with @.
  {
    name: "a state_key that is another user's ID",
    allowIn: NONE,
    room: { powerLevels: { state_default: 0 } },
    event: () => ({ type: "org.example.profile", sender: CAROL, state_key: BOB, content: {} }),
  },
  {
    name: "a state_key that is the sender's own ID",
    allowIn: ALL,
    room: { powerLevels: { state_default: 0 } },
    event: () => ({ type: "org.example.profile", sender: CAROL, state_key: CAROL, content: {} }),
  },
  {
    name: "a moderator cannot use another user's ID as state_key either",
    allowIn: NONE,
    event: () => ({ type: "org.example.profile", sender: BOB, state_key: CAROL, content: {} }),
  },
  {
    name: "a state_key with @ elsewhere is not an ID",
    allowIn: ALL,
    room: { powerLevels: { state_default: 0 } },
    event: () => ({ type: "org.example.profile", sender: CAROL, state_key: `x${BOB}`, content: {} }),
  },
  // m.room.third_party_invite.
  {
    name: "a member sends m.room.third_party_invite (invite level 0)",
    allowIn: ALL,
    event: () => ({ type: "m.room.third_party_invite", sender: CAROL, state_key: "tok", content: {} }),
  },
  {
    name: "m.room.third_party_invite below the invite level",
    allowIn: NONE,
    room: { powerLevels: { invite: 50 } },
    event: () => ({ type: "m.room.third_party_invite", sender: CAROL, state_key: "tok", content: {} }),
  },
  {
    name: "m.room.third_party_invite uses the invite level, not state_default",
    allowIn: ALL,
    room: { powerLevels: { invite: 0, events: { "m.room.third_party_invite": 100 } } },
    event: () => ({ type: "m.room.third_party_invite", sender: CAROL, state_key: "tok", content: {} }),
  },
  {
    name: "m.room.third_party_invite by a non-member",
    allowIn: NONE,
    event: () => ({ type: "m.room.third_party_invite", sender: DAVE, state_key: "tok", content: {} }),
  },
  // m.room.aliases (v1–v5 special case).
  {
    name: "m.room.aliases from a non-member for their own server (v1–v5 only)",
    allowIn: ALIASES_SPECIAL,
    event: () => ({ type: "m.room.aliases", sender: DAVE, state_key: "b.example", content: { aliases: [] } }),
  },
  {
    name: "m.room.aliases for another server (v6+: an ordinary state event a moderator may send)",
    allowIn: versions("6"),
    event: () => ({ type: "m.room.aliases", sender: BOB, state_key: "b.example", content: { aliases: [] } }),
  },
  {
    name: "m.room.aliases without a state_key (v6+: an ordinary message event)",
    allowIn: versions("6"),
    event: () => ({ type: "m.room.aliases", sender: BOB, content: { aliases: [] } }),
  },
  {
    name: "m.room.aliases from a member below state_default (v1–v5 bypass power levels)",
    allowIn: ALIASES_SPECIAL,
    event: () => ({
      type: "m.room.aliases",
      sender: CAROL,
      state_key: "b.example",
      content: { aliases: [] },
    }),
  },
  // m.federate.
  {
    name: "m.federate false: a user of another server",
    allowIn: NONE,
    room: { createContent: { "m.federate": false } },
    event: () => message(CAROL),
  },
  {
    name: "m.federate false: a user of the creator's server",
    allowIn: ALL,
    room: { createContent: { "m.federate": false } },
    event: () => message(BOB),
  },
  {
    name: "m.federate false: another server's user cannot join",
    allowIn: NONE,
    room: { createContent: { "m.federate": false } },
    event: () => ({ type: "m.room.member", sender: DAVE, state_key: DAVE, content: { membership: "join" } }),
  },
  {
    name: "m.federate true: anyone",
    allowIn: ALL,
    room: { createContent: { "m.federate": true } },
    event: () => message(CAROL),
  },
  {
    name: "m.federate as a string is not false",
    allowIn: ALL,
    room: { createContent: { "m.federate": "false" } },
    event: () => message(CAROL),
  },
  // m.room.redaction.
  {
    name: "a member redacts an event of their own server (below the redact level)",
    allowIn: ALL,
    event: (room) => ({
      type: "m.room.redaction",
      sender: CAROL,
      content: {},
      redacts: sameServerId(room, "b.example"),
    }),
  },
  {
    name: "a member redacts another server's event: refused by the auth rules in v1–v2 only",
    allowIn: NO_REDACTION_RULE,
    event: (room) => ({
      type: "m.room.redaction",
      sender: CAROL,
      content: {},
      redacts: sameServerId(room, "a.example"),
    }),
  },
  {
    name: "a moderator redacts another server's event",
    allowIn: ALL,
    event: (room) => ({
      type: "m.room.redaction",
      sender: BOB,
      content: {},
      redacts: sameServerId(room, "b.example"),
    }),
  },
  {
    name: "redact level 0: a member redacts another server's event",
    allowIn: ALL,
    room: { powerLevels: { redact: 0 } },
    event: (room) => ({
      type: "m.room.redaction",
      sender: CAROL,
      content: {},
      redacts: sameServerId(room, "a.example"),
    }),
  },
  {
    name: "a redaction without redacts (v1–v2 cannot match a domain)",
    allowIn: NO_REDACTION_RULE,
    event: () => ({ type: "m.room.redaction", sender: CAROL, content: {} }),
  },
  {
    name: "m.room.redaction events level above the sender",
    allowIn: NONE,
    room: { powerLevels: { events: { "m.room.redaction": 50 } } },
    event: (room) => ({
      type: "m.room.redaction",
      sender: CAROL,
      content: {},
      redacts: sameServerId(room, "b.example"),
    }),
  },
  {
    name: "a non-member redacts",
    allowIn: NONE,
    event: (room) => ({
      type: "m.room.redaction",
      sender: DAVE,
      content: {},
      redacts: sameServerId(room, "b.example"),
    }),
  },
];

/** An ID of an event from `server`: v1/v2 IDs carry the server, later ones carry none (any ID). */
function sameServerId(room: TestRoom, server: string): string {
  return room.version.eventIdFormat === "v1" ? `$target:${server}` : "$target";
}

describe("authorization rules beyond membership and power levels", () => {
  test.each(expand(cases))("%s", (_label, c, v, allowed) => {
    const result = runCase(c, v);
    expect(result.allowed, result.allowed ? "allowed" : result.reason).toBe(allowed);
  });
});

describe("the room's create event", () => {
  test.each(ALL)("v%s: no create event in the state", (v) => {
    const room = standardRoom(v);
    const state = new Map([...room.state].filter(([, e]) => e.pdu.type !== "m.room.create"));
    expect(room.check(message(CAROL), undefined, state)).toMatchObject({ allowed: false });
  });

  test.each(ALL)("v%s: a room_id that is not the create event's", (v) => {
    const room = standardRoom(v);
    const result = room.check({ ...message(CAROL), roomId: "!other" });
    // Before v12 the room ID is not tied to the create event by the state-dependent rules.
    expect(result.allowed).toBe(v !== "12");
  });

  test("v12: a room_id with the $ sigil is not the create event's room", () => {
    const room = standardRoom("12");
    const result = room.check({ ...message(CAROL), roomId: room.create.eventId });
    expect(result).toEqual({
      allowed: false,
      reason: "room_id is not the ID of the room's m.room.create event",
    });
  });

  test("v12: a rejected create event", () => {
    const room = standardRoom("12");
    const state = new Map(room.state);
    state.set(CREATE_KEY, { ...room.create, rejected: true });
    expect(room.check(message(CAROL), undefined, state)).toEqual({
      allowed: false,
      reason: "the room's m.room.create event was rejected",
    });
  });

  test("v11: the creator is the sender even if content says otherwise", () => {
    const room = new TestRoom("11", ALICE, { creator: BOB });
    // The first join after the create event is allowed for the sender of the create event only.
    const alice = room.build({
      type: "m.room.member",
      sender: ALICE,
      state_key: ALICE,
      content: { membership: "join" },
    });
    const bob = room.build({
      type: "m.room.member",
      sender: BOB,
      state_key: BOB,
      content: { membership: "join" },
    });
    expect(checkAuth(alice, room.state, room.version).allowed).toBe(true);
    expect(checkAuth(bob, room.state, room.version).allowed).toBe(false);
  });

  test("v10: the creator is content.creator", () => {
    const room = new TestRoom("10", ALICE, { creator: BOB });
    const alice = room.build({
      type: "m.room.member",
      sender: ALICE,
      state_key: ALICE,
      content: { membership: "join" },
    });
    const bob = room.build({
      type: "m.room.member",
      sender: BOB,
      state_key: BOB,
      content: { membership: "join" },
    });
    expect(checkAuth(alice, room.state, room.version).allowed).toBe(false);
    expect(checkAuth(bob, room.state, room.version).allowed).toBe(true);
  });

  test("v12: an additional creator is not the creator of the first-join rule", () => {
    const room = new TestRoom("12", ALICE, { additional_creators: [BOB] });
    const bob = room.build({
      type: "m.room.member",
      sender: BOB,
      state_key: BOB,
      content: { membership: "join" },
    });
    expect(checkAuth(bob, room.state, room.version).allowed).toBe(false);
  });
});
