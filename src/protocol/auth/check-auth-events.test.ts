import { describe, expect, test } from "vitest";
import { CREATE_KEY, JOIN_RULES_KEY, memberKey, POWER_LEVELS_KEY, type RoomEvent } from "../pdu.js";
import { ALICE, ALL_VERSIONS, BOB, CAROL, DAVE, member, standardRoom } from "../testing/auth-table.js";
import type { EventSpec, TestRoom } from "../testing/test-room.js";
import { checkAuthByAuthEvents, checkAuthEvents } from "./check-auth-events.js";
import { authEventKeys, selectAuthEvents } from "./select-auth-events.js";

const ALL = [...ALL_VERSIONS];

function authEventsOf(room: TestRoom, event: RoomEvent): RoomEvent[] {
  return event.pdu.auth_events.map((ref) => room.events.get(typeof ref === "string" ? ref : ref[0])!);
}

function verdict(room: TestRoom, spec: EventSpec, mutate?: (authEvents: RoomEvent[]) => RoomEvent[]) {
  const event = room.build(spec);
  let authEvents = authEventsOf(room, event);
  if (mutate) {
    authEvents = mutate(authEvents);
    event.pdu.auth_events = authEvents.map((e) => e.eventId);
  }
  const create = room.version.authorization.roomIdFromCreateEvent ? room.create : undefined;
  return checkAuthByAuthEvents(event, authEvents, room.version, undefined, create);
}

const message: EventSpec = { type: "m.room.message", sender: CAROL, content: { body: "hi" } };

describe("auth events selection", () => {
  test.each(ALL)(
    "v%s: a message cites create (not in v12), power levels and the sender's member event",
    (v) => {
      const room = standardRoom(v);
      const expected =
        v === "12" ? [POWER_LEVELS_KEY, memberKey(CAROL)] : [CREATE_KEY, POWER_LEVELS_KEY, memberKey(CAROL)];
      expect(authEventKeys(room.build(message).pdu, room.version.authorization)).toEqual(expected);
    },
  );

  test.each(ALL)("v%s: the create event cites nothing", (v) => {
    const room = standardRoom(v);
    expect(selectAuthEvents(room.create.pdu, room.state, room.version.authorization)).toEqual([]);
  });

  test.each(ALL)("v%s: a join cites the target and the join rules", (v) => {
    const room = standardRoom(v);
    const keys = authEventKeys(room.build(member(DAVE, "join")).pdu, room.version.authorization);
    expect(keys).toContain(JOIN_RULES_KEY);
    expect(keys).toContain(memberKey(DAVE));
  });

  test.each(ALL)("v%s: a kick cites the target but not the join rules", (v) => {
    const room = standardRoom(v);
    const keys = authEventKeys(room.build(member(CAROL, "leave", BOB)).pdu, room.version.authorization);
    expect(keys).toContain(memberKey(BOB));
    expect(keys).toContain(memberKey(CAROL));
    expect(keys).not.toContain(JOIN_RULES_KEY);
  });

  test.each(ALL)("v%s: a knock cites the join rules", (v) => {
    const room = standardRoom(v);
    expect(authEventKeys(room.build(member(DAVE, "knock")).pdu, room.version.authorization)).toContain(
      JOIN_RULES_KEY,
    );
  });

  test.each(ALL)("v%s: a third-party invite cites the m.room.third_party_invite for its token", (v) => {
    const room = standardRoom(v);
    const spec = member(DAVE, "invite", CAROL, {
      third_party_invite: { signed: { mxid: DAVE, token: "tok" } },
    });
    expect(authEventKeys(room.build(spec).pdu, room.version.authorization)).toContain(
      "25:m.room.third_party_invitetok",
    );
  });

  test.each(ALL)("v%s: a restricted join cites the authorising user's member event from v8", (v) => {
    const room = standardRoom(v);
    const spec = member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB });
    const keys = authEventKeys(room.build(spec).pdu, room.version.authorization);
    expect(keys.includes(memberKey(BOB))).toBe(["8", "9", "10", "11", "12"].includes(v));
  });

  test("only the state that exists is cited", () => {
    const room = standardRoom("10", { noPowerLevels: true });
    const ids = selectAuthEvents(room.build(message).pdu, room.state, room.version.authorization);
    expect(ids).toEqual([room.create.eventId, room.state.get(memberKey(CAROL))!.eventId]);
  });
});

describe("the auth_events rules", () => {
  test.each(ALL)("v%s: the selected auth events pass", (v) => {
    expect(verdict(standardRoom(v), message)).toEqual({ allowed: true });
  });

  test.each(ALL)("v%s: a duplicate (type, state_key) entry", (v) => {
    const room = standardRoom(v);
    const older = room.build({ type: "m.room.power_levels", sender: ALICE, state_key: "", content: {} });
    room.events.set(older.eventId, older);
    const result = verdict(room, message, (events) => [...events, older]);
    expect(result).toMatchObject({ allowed: false, reason: expect.stringContaining("duplicate") });
  });

  test.each(ALL)("v%s: an entry the selection does not name", (v) => {
    const room = standardRoom(v);
    const result = verdict(room, message, (events) => [...events, room.state.get(JOIN_RULES_KEY)!]);
    expect(result).toMatchObject({ allowed: false, reason: expect.stringContaining("not selectable") });
  });

  test.each(ALL)("v%s: an entry that is not a state event", (v) => {
    const room = standardRoom(v);
    const chat = room.add(room.build(message));
    const result = verdict(room, message, (events) => [...events, chat]);
    expect(result).toMatchObject({ allowed: false });
  });

  test.each(ALL)("v%s: a rejected entry", (v) => {
    const room = standardRoom(v);
    const result = verdict(room, message, (events) =>
      events.map((e) => (e.pdu.type === "m.room.power_levels" ? { ...e, rejected: true } : e)),
    );
    expect(result).toMatchObject({ allowed: false, reason: expect.stringContaining("rejected") });
  });

  test.each(ALL)("v%s: the create event among the entries: required before v12, forbidden in v12", (v) => {
    const room = standardRoom(v);
    const withCreate = verdict(room, message, (events) =>
      events.some((e) => e.pdu.type === "m.room.create") ? events : [room.create, ...events],
    );
    const withoutCreate = verdict(room, message, (events) =>
      events.filter((e) => e.pdu.type !== "m.room.create"),
    );
    expect(withCreate.allowed).toBe(v !== "12");
    expect(withoutCreate.allowed).toBe(v === "12");
  });

  test.each(ALL)("v%s: an entry from another room", (v) => {
    const room = standardRoom(v);
    const result = verdict(room, message, (events) =>
      events.map((e) =>
        e.pdu.type === "m.room.power_levels"
          ? { ...e, pdu: { ...e.pdu, room_id: "!elsewhere:a.example" } }
          : e,
      ),
    );
    expect(result).toMatchObject({ allowed: false, reason: expect.stringContaining("another room") });
  });

  test.each(ALL)("v%s: a cited auth event that was not loaded", (v) => {
    const room = standardRoom(v);
    const event = room.build(message);
    const authEvents = authEventsOf(room, event).slice(1);
    const create = v === "12" ? room.create : undefined;
    expect(checkAuthByAuthEvents(event, authEvents, room.version, undefined, create)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("not available"),
    });
  });

  test.each(ALL)("v%s: the state the auth events form decides the rest (a non-member)", (v) => {
    const room = standardRoom(v);
    expect(verdict(room, { ...message, sender: DAVE }).allowed).toBe(false);
  });

  test.each(ALL)("v%s: the create event needs no auth events", (v) => {
    const room = standardRoom(v);
    expect(checkAuthEvents(room.create, [], room.version)).toEqual({ allowed: true });
  });
});
