import { describe, expect, test } from "vitest";
import type { JsonObject } from "../json.js";
import {
  ADMIN,
  ALICE,
  ALL_VERSIONS,
  type AuthCase,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  expand,
  MALLORY,
  member,
  NONE,
  runCase,
  setMembership,
  versions,
} from "../testing/auth-table.js";
import type { TestRoom } from "../testing/test-room.js";

const ALL = [...ALL_VERSIONS];
const KNOCK = versions("7"); // knocking added in v7
const RESTRICTED = versions("8"); // restricted joins added in v8
const KNOCK_RESTRICTED = versions("10"); // knock_restricted added in v10

const joinCases: AuthCase[] = [
  {
    name: "the creator's first join right after the create event",
    allowIn: ALL,
    event: (room) => ({ ...member(ALICE, "join"), prev: [room.create.eventId] }),
    setup: (room) => setMembership(room, ALICE, "leave"),
    room: { joinRule: "invite" },
  },
  {
    name: "someone else's first join right after the create event (invite-only by default)",
    allowIn: NONE,
    event: () => member(DAVE, "join"),
    setup: (room) => {
      // A room holding only its create event: no join rules event, so invite-only.
      room.resetState(new Map([...room.state].filter(([, e]) => e.pdu.type === "m.room.create")));
      room.setLatest([room.create.eventId]);
    },
  },
  {
    name: "join with sender different from state_key",
    allowIn: NONE,
    event: () => member(DAVE, "join", CAROL),
  },
  { name: "join a public room", allowIn: ALL, event: () => member(DAVE, "join") },
  {
    name: "ban beats join: a banned user cannot join a public room",
    allowIn: NONE,
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "join"),
  },
  {
    name: "a banned user cannot join even when invited state is replaced by ban",
    allowIn: NONE,
    room: { joinRule: "invite" },
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "join"),
  },
  {
    name: "invite-only room: join without an invite",
    allowIn: NONE,
    room: { joinRule: "invite" },
    event: () => member(DAVE, "join"),
  },
  {
    name: "invite-only room: join with an invite",
    allowIn: ALL,
    room: { joinRule: "invite" },
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "join"),
  },
  {
    name: "invite-only room: a joined member updates their profile (join to join)",
    allowIn: ALL,
    room: { joinRule: "invite" },
    event: () => member(CAROL, "join", CAROL, { displayname: "Carol" }),
  },
  {
    name: "invite-only room: a user who left cannot rejoin",
    allowIn: NONE,
    room: { joinRule: "invite" },
    setup: (room) => setMembership(room, CAROL, "leave", CAROL),
    event: () => member(CAROL, "join"),
  },
  {
    name: "private join rule admits nobody new",
    allowIn: NONE,
    room: { joinRule: "private" },
    event: () => member(DAVE, "join"),
  },
  {
    name: "unknown join rule admits nobody new",
    allowIn: NONE,
    room: { joinRule: "wide_open" },
    event: () => member(DAVE, "join"),
  },
  {
    name: "knock join rule: an invited user may join (v7+; unknown rule before)",
    allowIn: KNOCK,
    room: { joinRule: "knock" },
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "join"),
  },
  {
    name: "knock join rule: an uninvited user may not join",
    allowIn: NONE,
    room: { joinRule: "knock" },
    event: () => member(DAVE, "join"),
  },
  {
    name: "restricted: join authorised by a joined user who can invite (v8+)",
    allowIn: RESTRICTED,
    room: { joinRule: "restricted" },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "restricted: join authorised by a user below the invite level",
    allowIn: NONE,
    room: { joinRule: "restricted", powerLevels: { invite: 50 } },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: CAROL }),
  },
  {
    name: "restricted: join authorised by a user at exactly the invite level",
    allowIn: RESTRICTED,
    room: { joinRule: "restricted", powerLevels: { invite: 50 } },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "restricted: join authorised by a user who is not joined",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: ERIN }),
  },
  {
    name: "restricted: join authorised by a user who left",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    setup: (room) => setMembership(room, BOB, "leave", BOB),
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "restricted: join without an authorising user",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    event: () => member(DAVE, "join"),
  },
  {
    name: "restricted: an invited user joins without an authorising user",
    allowIn: RESTRICTED,
    room: { joinRule: "restricted" },
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "join"),
  },
  {
    name: "restricted: the authorising server's signature does not verify",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    verdicts: { isSignedByServer: () => false },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "restricted: signature asked of the authorising user's server",
    allowIn: RESTRICTED,
    room: { joinRule: "restricted" },
    verdicts: { isSignedByServer: (_event, server) => server === "c.example" },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: MALLORY }),
  },
  {
    name: "restricted: a banned user cannot join even with an authoriser",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "knock_restricted: join authorised by a joined user who can invite (v10+)",
    allowIn: KNOCK_RESTRICTED,
    room: { joinRule: "knock_restricted" },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "knock_restricted: an invited user joins (v10+)",
    allowIn: KNOCK_RESTRICTED,
    room: { joinRule: "knock_restricted" },
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "join"),
  },
  {
    name: "join_authorised_via_users_server in a public room needs the authoriser's signature (v8+)",
    allowIn: versions("1", "7"),
    verdicts: { isSignedByServer: () => false },
    event: () => member(DAVE, "join", DAVE, { join_authorised_via_users_server: BOB }),
  },
  {
    name: "join_authorised_via_users_server on a leave needs the signature too (v8+)",
    allowIn: versions("1", "7"),
    verdicts: {},
    event: () => member(CAROL, "leave", CAROL, { join_authorised_via_users_server: BOB }),
  },
];

const inviteCases: AuthCase[] = [
  {
    name: "a joined member invites (invite level 0)",
    allowIn: ALL,
    event: () => member(DAVE, "invite", CAROL),
  },
  { name: "a non-member invites", allowIn: NONE, event: () => member(ERIN, "invite", DAVE) },
  {
    name: "an invited (not joined) user invites",
    allowIn: NONE,
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(ERIN, "invite", DAVE),
  },
  { name: "inviting a joined user", allowIn: NONE, event: () => member(BOB, "invite", CAROL) },
  {
    name: "inviting a banned user",
    allowIn: NONE,
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "invite", BOB),
  },
  {
    name: "inviting a user who left",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "leave", DAVE),
    event: () => member(DAVE, "invite", CAROL),
  },
  {
    name: "inviting an already invited user",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "invite", CAROL),
  },
  {
    name: "inviting a user who knocked (v7+)",
    appliesTo: KNOCK,
    allowIn: KNOCK,
    setup: (room) => setMembership(room, DAVE, "knock", DAVE),
    event: () => member(DAVE, "invite", BOB),
  },
  {
    name: "invite below the invite level",
    allowIn: NONE,
    room: { powerLevels: { invite: 50 } },
    event: () => member(DAVE, "invite", CAROL),
  },
  {
    name: "invite at exactly the invite level",
    allowIn: ALL,
    room: { powerLevels: { invite: 50 } },
    event: () => member(DAVE, "invite", BOB),
  },
  {
    name: "invite level given as a string (accepted before v10)",
    allowIn: versions("1", "9"),
    appliesTo: versions("1", "9"),
    room: { powerLevels: { invite: "50" } },
    event: () => member(DAVE, "invite", BOB),
  },
];

const TOKEN = "tok123";
function thirdPartyInvite(signed: JsonObject | undefined): JsonObject {
  const invite: JsonObject = { display_name: "d…" };
  if (signed) invite.signed = signed;
  return { membership: "invite", third_party_invite: invite };
}
function withInviteEvent(sender = CAROL) {
  return (room: TestRoom) => {
    room.add(
      room.build({
        type: "m.room.third_party_invite",
        sender,
        state_key: TOKEN,
        content: { display_name: "d…", key_validity_url: "https://id.example/v", public_key: "abc" },
      }),
    );
  };
}

const thirdPartyCases: AuthCase[] = [
  {
    name: "third-party invite with a verified signature",
    allowIn: ALL,
    setup: withInviteEvent(),
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite whose signature does not verify",
    allowIn: NONE,
    setup: withInviteEvent(),
    verdicts: { thirdPartyInviteSignatureValid: () => false },
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite with no verdict given fails closed",
    allowIn: NONE,
    setup: withInviteEvent(),
    verdicts: {},
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite of a banned user",
    allowIn: NONE,
    setup: (room) => {
      withInviteEvent()(room);
      setMembership(room, DAVE, "ban");
    },
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite without signed",
    allowIn: NONE,
    setup: withInviteEvent(),
    event: () => ({ ...member(DAVE, "invite", CAROL), content: thirdPartyInvite(undefined) }),
  },
  {
    name: "third-party invite whose signed lacks the token",
    allowIn: NONE,
    setup: withInviteEvent(),
    event: () => ({ ...member(DAVE, "invite", CAROL), content: thirdPartyInvite({ mxid: DAVE }) }),
  },
  {
    name: "third-party invite whose signed lacks the mxid",
    allowIn: NONE,
    setup: withInviteEvent(),
    event: () => ({ ...member(DAVE, "invite", CAROL), content: thirdPartyInvite({ token: TOKEN }) }),
  },
  {
    name: "third-party invite whose mxid is not the state_key",
    allowIn: NONE,
    setup: withInviteEvent(),
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: ERIN, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite with no m.room.third_party_invite for the token",
    allowIn: NONE,
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite sent by someone other than the inviter",
    allowIn: NONE,
    setup: withInviteEvent(BOB),
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
  {
    name: "third-party invite by an inviter who has since left (the branch does not check membership)",
    allowIn: ALL,
    setup: (room) => {
      withInviteEvent()(room);
      setMembership(room, CAROL, "leave", CAROL);
    },
    event: () => ({
      ...member(DAVE, "invite", CAROL),
      content: thirdPartyInvite({ mxid: DAVE, token: TOKEN }),
    }),
  },
];

const leaveCases: AuthCase[] = [
  { name: "a member leaves", allowIn: ALL, event: () => member(CAROL, "leave") },
  {
    name: "an invited user rejects the invite",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "leave"),
  },
  { name: "a user never in the room leaves", allowIn: NONE, event: () => member(DAVE, "leave") },
  {
    name: "a banned user cannot unban themselves by leaving",
    allowIn: NONE,
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "leave"),
  },
  {
    name: "a knocking user rescinds the knock (v7+)",
    appliesTo: KNOCK,
    allowIn: KNOCK,
    setup: (room) => setMembership(room, DAVE, "knock", DAVE),
    event: () => member(DAVE, "leave"),
  },
  {
    name: "a user who left leaves again",
    allowIn: NONE,
    setup: (room) => setMembership(room, CAROL, "leave", CAROL),
    event: () => member(CAROL, "leave"),
  },
  { name: "a moderator kicks a member", allowIn: ALL, event: () => member(CAROL, "leave", BOB) },
  {
    name: "kicks need more power than the target: a moderator kicks a peer moderator",
    allowIn: NONE,
    event: () => member(MALLORY, "leave", BOB),
  },
  { name: "a moderator kicks an admin", allowIn: NONE, event: () => member(ADMIN, "leave", BOB) },
  {
    name: "a member kicks a member (below the kick level)",
    allowIn: NONE,
    event: () => member(BOB, "leave", CAROL),
  },
  {
    name: "a kicker who is not joined",
    allowIn: NONE,
    setup: (room) => setMembership(room, BOB, "leave", BOB),
    event: () => member(CAROL, "leave", BOB),
  },
  {
    name: "kick level raised to 75: a moderator cannot kick",
    allowIn: NONE,
    room: { powerLevels: { kick: 75 } },
    event: () => member(CAROL, "leave", BOB),
  },
  {
    name: "kick level lowered to 0: a member kicks a user below them",
    allowIn: ALL,
    room: { powerLevels: { kick: 0, users: { [CAROL]: 10 } } },
    event: () => member(DAVE, "leave", CAROL),
    setup: (room) => setMembership(room, DAVE, "join", DAVE),
  },
  {
    name: "withdrawing an invite is a kick",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "invite", CAROL),
    event: () => member(DAVE, "leave", BOB),
  },
  {
    name: "unban by a moderator (ban and kick level 50)",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "leave", BOB),
  },
  {
    name: "unban needs the ban level, not just the kick level",
    allowIn: NONE,
    room: { powerLevels: { ban: 75 } },
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "leave", BOB),
  },
  {
    name: "unban needs the kick level too",
    allowIn: NONE,
    room: { powerLevels: { kick: 75 } },
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "leave", BOB),
  },
  {
    name: "creator kicks an admin at 100: a peer before v12, infinite power in v12",
    allowIn: ["12"],
    event: () => member(ADMIN, "leave", ALICE),
  },
  {
    name: "an admin kicks the creator: peers before v12, never in v12",
    allowIn: NONE,
    event: () => member(ALICE, "leave", ADMIN),
  },
];

const banCases: AuthCase[] = [
  { name: "a moderator bans a member", allowIn: ALL, event: () => member(CAROL, "ban", BOB) },
  { name: "a moderator bans a user never in the room", allowIn: ALL, event: () => member(DAVE, "ban", BOB) },
  { name: "a moderator bans a peer moderator", allowIn: NONE, event: () => member(MALLORY, "ban", BOB) },
  { name: "a member bans (below the ban level)", allowIn: NONE, event: () => member(DAVE, "ban", CAROL) },
  {
    name: "a banner who is not joined",
    allowIn: NONE,
    setup: (room) => setMembership(room, BOB, "leave", BOB),
    event: () => member(DAVE, "ban", BOB),
  },
  {
    name: "ban level 0: a member bans a user below them",
    allowIn: ALL,
    room: { powerLevels: { ban: 0, users: { [CAROL]: 10 } } },
    event: () => member(DAVE, "ban", CAROL),
  },
  {
    name: "the creator bans an admin: only in v12",
    allowIn: ["12"],
    event: () => member(ADMIN, "ban", ALICE),
  },
  {
    name: "an additional creator (v12) bans an admin",
    appliesTo: ["11", "12"],
    allowIn: ["12"],
    room: { createContent: { additional_creators: [CAROL] } },
    event: () => member(ADMIN, "ban", CAROL),
  },
  {
    name: "a moderator re-bans a banned user",
    allowIn: ALL,
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "ban", BOB),
  },
];

const knockCases: AuthCase[] = [
  {
    name: "knock on a knock room (v7+; unknown membership before)",
    allowIn: KNOCK,
    room: { joinRule: "knock" },
    event: () => member(DAVE, "knock"),
  },
  { name: "knock on a public room", allowIn: NONE, event: () => member(DAVE, "knock") },
  {
    name: "knock on an invite-only room",
    allowIn: NONE,
    room: { joinRule: "invite" },
    event: () => member(DAVE, "knock"),
  },
  {
    name: "knock on behalf of someone else",
    allowIn: NONE,
    room: { joinRule: "knock" },
    event: () => member(DAVE, "knock", CAROL),
  },
  {
    name: "a banned user knocks",
    allowIn: NONE,
    room: { joinRule: "knock" },
    setup: (room) => setMembership(room, DAVE, "ban"),
    event: () => member(DAVE, "knock"),
  },
  {
    name: "an invited user knocks",
    allowIn: NONE,
    room: { joinRule: "knock" },
    setup: (room) => setMembership(room, DAVE, "invite", BOB),
    event: () => member(DAVE, "knock"),
  },
  {
    name: "a joined user knocks",
    allowIn: NONE,
    room: { joinRule: "knock" },
    event: () => member(CAROL, "knock"),
  },
  {
    name: "a user who left knocks again",
    allowIn: KNOCK,
    room: { joinRule: "knock" },
    setup: (room) => setMembership(room, DAVE, "leave", DAVE),
    event: () => member(DAVE, "knock"),
  },
  {
    name: "knock on a knock_restricted room (v10+)",
    allowIn: KNOCK_RESTRICTED,
    room: { joinRule: "knock_restricted" },
    event: () => member(DAVE, "knock"),
  },
  {
    name: "knock on a restricted room",
    allowIn: NONE,
    room: { joinRule: "restricted" },
    event: () => member(DAVE, "knock"),
  },
];

const shapeCases: AuthCase[] = [
  {
    name: "member event without membership",
    allowIn: NONE,
    event: () => ({ type: "m.room.member", sender: DAVE, state_key: DAVE, content: {} }),
  },
  {
    name: "member event with a non-string membership",
    allowIn: NONE,
    event: () => ({ type: "m.room.member", sender: DAVE, state_key: DAVE, content: { membership: 1 } }),
  },
  {
    name: "member event without state_key",
    allowIn: NONE,
    event: () => ({ type: "m.room.member", sender: DAVE, content: { membership: "join" } }),
  },
  { name: "unknown membership", allowIn: NONE, event: () => member(CAROL, "wave") },
];

describe.each([
  ["join", joinCases],
  ["invite", inviteCases],
  ["third-party invite", thirdPartyCases],
  ["leave and kick", leaveCases],
  ["ban", banCases],
  ["knock", knockCases],
  ["event shape", shapeCases],
] as const)("m.room.member: %s", (_name, cases) => {
  test.each(expand(cases))("%s", (_label, c, v, allowed) => {
    const result = runCase(c, v);
    expect(result.allowed, result.allowed ? "allowed" : result.reason).toBe(allowed);
  });
});

describe("m.room.member: rejection reasons name the rule", () => {
  test("ban beats join", () => {
    const c = joinCases.find((x) => x.name.startsWith("ban beats join"))!;
    expect(runCase(c, "10")).toEqual({ allowed: false, reason: "join: sender is banned" });
  });

  test("a kick of a peer says why", () => {
    const c = leaveCases.find((x) => x.name.startsWith("kicks need more power"))!;
    expect(runCase(c, "3")).toEqual({
      allowed: false,
      reason: "kick: sender needs the kick level and more power than the target",
    });
  });
});
