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
  expand,
  isV12,
  MALLORY,
  NONE,
  runCase,
  versions,
} from "../testing/auth-table.js";
import type { EventSpec } from "../testing/test-room.js";

const ALL = [...ALL_VERSIONS];
const STRINGY = versions("1", "9"); // string levels accepted before v10

/** The users of the standard room's power levels (Alice only before v12: creators are not listed in
 * v12). */
function users(v: string, extra: JsonObject = {}): JsonObject {
  const base: JsonObject = { [ADMIN]: 100, [BOB]: 50, [MALLORY]: 50 };
  if (!isV12(v)) base[ALICE] = 100;
  return { ...base, ...extra };
}

function pl(sender: string, content: JsonObject): EventSpec {
  return { type: "m.room.power_levels", sender, state_key: "", content };
}

const cases: AuthCase[] = [
  // Well-formedness.
  {
    name: "an admin re-sends the same levels",
    allowIn: ALL,
    event: (_r, v) => pl(ADMIN, { users: users(v) }),
  },
  {
    name: "users is not an object",
    allowIn: NONE,
    event: () => pl(ADMIN, { users: [ADMIN] }),
  },
  {
    name: "a users key that is not a user ID",
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v, { "not-a-user": 0 }) }),
  },
  {
    name: "a users value that is a string integer (before v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: "10" }) }),
  },
  {
    name: "a users value that is a padded signed string integer (before v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: " +010 " }) }),
  },
  {
    name: "a users value that is a non-numeric string",
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: "ten" }) }),
  },
  {
    name: "a users value that is a decimal string",
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: "10.5" }) }),
  },
  {
    name: "a users value that is a float (truncated before v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: 10.5 }) }),
  },
  {
    name: "a users value that is null",
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: null }) }),
  },
  {
    name: "ban as a string (integers only from v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), ban: "50" }),
  },
  {
    name: "state_default as a float (integers only from v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), state_default: 50.0001 }),
  },
  {
    name: "an events value as a string (integers only from v10)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), events: { "m.room.name": "50" } }),
  },
  {
    name: "events not an object (v10+ refuses it; earlier versions ignore the shape)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), events: 5 }),
  },
  {
    name: "notifications not an object (v10+ refuses it)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), notifications: "room" }),
  },
  {
    name: "a notifications value as a string (v10+ refuses it)",
    allowIn: STRINGY,
    event: (_r, v) => pl(ADMIN, { users: users(v), notifications: { room: "50" } }),
  },
  {
    name: "a non-level value for kick (refused in every version once there are levels to compare)",
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v), kick: "lots" }),
  },
  // Creators in v12.
  {
    name: "v12: listing the creator in users",
    appliesTo: ["12"],
    allowIn: NONE,
    event: (_r, v) => pl(ALICE, { users: users(v, { [ALICE]: 100 }) }),
  },
  {
    name: "listing an additional creator in users (refused in v12)",
    appliesTo: ["11", "12"],
    allowIn: ["11"],
    room: { createContent: { additional_creators: [CAROL] } },
    event: (_r, v) => pl(ADMIN, { users: users(v, { [CAROL]: 0 }) }),
  },
  // Top-level levels.
  {
    name: "a moderator lowers ban from 50 to 40",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v), ban: 40 }),
  },
  {
    name: "a moderator raises ban from 50 to 60 (above their level)",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v), ban: 60 }),
  },
  {
    name: "a moderator changes ban when it is above their level",
    allowIn: NONE,
    room: { powerLevels: { ban: 75 } },
    event: (_r, v) => pl(BOB, { users: users(v), ban: 40 }),
  },
  {
    name: "a moderator removes ban when it is above their level",
    allowIn: NONE,
    room: { powerLevels: { ban: 75, events: { "m.room.power_levels": 50 } } },
    event: (_r, v) => pl(BOB, { users: users(v), events: { "m.room.power_levels": 50 } }),
  },
  {
    name: "a moderator removes ban when it is at their level",
    allowIn: ALL,
    room: { powerLevels: { ban: 50 } },
    event: (_r, v) => pl(BOB, { users: users(v) }),
  },
  {
    name: "a moderator adds users_default 50 (their own level)",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v), users_default: 50 }),
  },
  {
    name: "a moderator adds users_default 51",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v), users_default: 51 }),
  },
  {
    name: "a string level equal to the old integer is no change (before v10)",
    appliesTo: STRINGY,
    allowIn: STRINGY,
    room: { powerLevels: { invite: 75 } },
    event: (_r, v) => pl(BOB, { users: users(v), invite: "75" }),
  },
  {
    name: "a member (0) cannot send power levels at all (state_default 50)",
    allowIn: NONE,
    event: (_r, v) => pl(CAROL, { users: users(v) }),
  },
  // events.
  {
    name: "a moderator adds an events entry at their level",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v), events: { "m.room.topic": 50 } }),
  },
  {
    name: "a moderator adds an events entry above their level",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v), events: { "m.room.topic": 51 } }),
  },
  {
    name: "a moderator lowers an events entry that is above their level",
    allowIn: NONE,
    room: { powerLevels: { events: { "m.room.tombstone": 100 } } },
    event: (_r, v) => pl(BOB, { users: users(v), events: { "m.room.tombstone": 0 } }),
  },
  {
    name: "a moderator removes an events entry that is above their level",
    allowIn: NONE,
    room: { powerLevels: { events: { "m.room.tombstone": 100 } } },
    event: (_r, v) => pl(BOB, { users: users(v) }),
  },
  {
    name: "a moderator removes an events entry at their level",
    allowIn: ALL,
    room: { powerLevels: { events: { "m.room.topic": 50 } } },
    event: (_r, v) => pl(BOB, { users: users(v) }),
  },
  // notifications (compared from v6).
  {
    name: "a moderator lowers notifications.room from 100 (compared from v6)",
    allowIn: versions("1", "5"), // notifications compared from v6
    room: { powerLevels: { notifications: { room: 100 } } },
    event: (_r, v) => pl(BOB, { users: users(v), notifications: { room: 0 } }),
  },
  {
    name: "a moderator adds notifications.room 60 (compared from v6)",
    allowIn: versions("1", "5"),
    event: (_r, v) => pl(BOB, { users: users(v), notifications: { room: 60 } }),
  },
  {
    name: "a moderator adds notifications.room 50",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v), notifications: { room: 50 } }),
  },
  {
    name: "notification changes are not checked before v6, but are after",
    appliesTo: ALL,
    allowIn: versions("1", "5"),
    room: { powerLevels: { notifications: { custom: 90 } } },
    event: (_r, v) => pl(BOB, { users: users(v) }),
  },
  // users.
  {
    name: "a moderator promotes a member to their own level",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v, { [CAROL]: 50 }) }),
  },
  {
    name: "a moderator promotes a member above their own level",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v, { [CAROL]: 51 }) }),
  },
  {
    name: "a moderator demotes a peer moderator",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v, { [MALLORY]: 0 }) }),
  },
  {
    name: "a moderator removes a peer moderator's entry",
    allowIn: NONE,
    event: (_r, v) => {
      const u = users(v);
      delete u[MALLORY];
      return pl(BOB, { users: u });
    },
  },
  {
    name: "a moderator demotes a lower user",
    allowIn: ALL,
    room: { powerLevels: { users: { [CAROL]: 20 } } },
    event: (_r, v) => pl(BOB, { users: users(v, { [CAROL]: 0 }) }),
  },
  {
    name: "a moderator removes a lower user's entry",
    allowIn: ALL,
    room: { powerLevels: { users: { [CAROL]: 20 } } },
    event: (_r, v) => pl(BOB, { users: users(v) }),
  },
  {
    name: "a moderator demotes themselves",
    allowIn: ALL,
    event: (_r, v) => pl(BOB, { users: users(v, { [BOB]: 10 }) }),
  },
  {
    name: "a moderator promotes themselves",
    allowIn: NONE,
    event: (_r, v) => pl(BOB, { users: users(v, { [BOB]: 60 }) }),
  },
  {
    name: "a moderator removes their own entry (dropping to users_default)",
    allowIn: ALL,
    event: (_r, v) => {
      const u = users(v);
      delete u[BOB];
      return pl(BOB, { users: u });
    },
  },
  {
    name: "an admin adds a new user at 100",
    allowIn: ALL,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [DAVE]: 100 }) }),
  },
  {
    name: "the creator demotes an admin at 100: a peer before v12, infinite power in v12",
    allowIn: ["12"],
    event: (_r, v) => pl(ALICE, { users: users(v, { [ADMIN]: 50 }) }),
  },
  {
    name: "an admin demotes the creator (only possible before v12, and not as a peer)",
    appliesTo: versions("1", "11"),
    allowIn: NONE,
    event: (_r, v) => pl(ADMIN, { users: users(v, { [ALICE]: 50 }) }),
  },
  {
    name: "only creators have unlimited power: a v12 creator sets any level",
    appliesTo: ["12"],
    allowIn: ["12"],
    event: (_r, v) => pl(ALICE, { users: users(v, { [DAVE]: 9007199254740991 }), ban: 9007199254740991 }),
  },
  {
    name: "an admin at the maximum integer is still not a creator: cannot demote a peer",
    allowIn: NONE,
    room: { powerLevels: { users: { [ADMIN]: 9007199254740991, [CAROL]: 9007199254740991 } } },
    event: (_r, v) => pl(ADMIN, { users: users(v, { [ADMIN]: 9007199254740991, [CAROL]: 0 }) }),
  },
  {
    name: "an additional creator (v12) demotes an admin",
    appliesTo: ["11", "12"],
    allowIn: ["12"],
    room: { createContent: { additional_creators: [CAROL] } },
    event: (_r, v) => pl(CAROL, { users: users(v, { [ADMIN]: 0 }) }),
  },
];

describe("m.room.power_levels", () => {
  test.each(expand(cases))("%s", (_label, c, v, allowed) => {
    const result = runCase(c, v);
    expect(result.allowed, result.allowed ? "allowed" : result.reason).toBe(allowed);
  });
});

describe("m.room.power_levels: the first power levels event", () => {
  const first: AuthCase[] = [
    {
      name: "the first power levels event may set anything the sender could send",
      allowIn: ALL,
      room: { noPowerLevels: true },
      event: () => pl(ALICE, { users: { [BOB]: 100 }, ban: 1000 }),
    },
    {
      name: "the first power levels event is still checked for shape (string levels from v10)",
      allowIn: STRINGY,
      room: { noPowerLevels: true },
      event: () => pl(ALICE, { users: { [BOB]: "100" } }),
    },
    {
      name: "without power levels a member (0) cannot send the first one (state_default 50)",
      allowIn: NONE,
      room: { noPowerLevels: true },
      event: () => pl(CAROL, { users: { [CAROL]: 100 } }),
    },
  ];
  test.each(expand(first))("%s", (_label, c, v, allowed) => {
    const result = runCase(c, v);
    expect(result.allowed, result.allowed ? "allowed" : result.reason).toBe(allowed);
  });
});
