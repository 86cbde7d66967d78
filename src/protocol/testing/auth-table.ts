/**
 * Test support for the table-driven auth rule tests: a standard room per version and the expansion
 * of a case table into (case, version) rows. The versions where a case passes are written out from
 * the spec text, never derived from the room version table, so a wrong switch fails the test.
 */

import type { SignatureVerdicts } from "../auth/auth-state.js";
import type { AuthResult } from "../auth/result.js";
import { isJsonObject, type JsonObject } from "../json.js";
import { ALL_SIGNATURES_VALID, type EventSpec, TestRoom } from "./test-room.js";

export const ALICE = "@alice:a.example"; // the creator
export const ADMIN = "@admin:a.example"; // 100, a peer of the creator before v12
export const BOB = "@bob:a.example"; // moderator, 50
export const MALLORY = "@mallory:c.example"; // moderator, 50, a peer of Bob
export const CAROL = "@carol:b.example"; // member, 0
export const DAVE = "@dave:b.example"; // never in the room
export const ERIN = "@erin:b.example"; // never in the room

export const ALL_VERSIONS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"] as const;

/** Versions `from` to `to` inclusive, by their position in the list (never string comparison). */
export function versions(from: string, to = "12"): string[] {
  const start = ALL_VERSIONS.indexOf(from as (typeof ALL_VERSIONS)[number]);
  const end = ALL_VERSIONS.indexOf(to as (typeof ALL_VERSIONS)[number]);
  if (start < 0 || end < 0) throw new Error(`bad version range ${from}..${to}`);
  return ALL_VERSIONS.slice(start, end + 1);
}

export const NONE: string[] = [];

export interface RoomOptions {
  /** The join rule after everyone joined; default `public`. */
  joinRule?: string;
  /** Extra content for the power levels event (merged over the standard one, `users` entry by entry). */
  powerLevels?: JsonObject;
  /** Leave out the power levels event altogether. */
  noPowerLevels?: boolean;
  createContent?: JsonObject;
}

export function isV12(versionId: string): boolean {
  return versionId === "12";
}

/** Create (Alice), Alice joins, power levels, a public join rule, Admin, Bob, Mallory and Carol join,
 * then the join rule is set as asked. */
export function standardRoom(versionId: string, options: RoomOptions = {}): TestRoom {
  const room = new TestRoom(versionId, ALICE, options.createContent ?? {});
  // A non-federating room refuses the other servers' users: put them in without checks.
  const checked = options.createContent?.["m.federate"] !== false;
  const put = (spec: EventSpec) => (checked ? room.send(spec) : room.add(room.build(spec)));
  room.send({ type: "m.room.member", sender: ALICE, state_key: ALICE, content: { membership: "join" } });
  if (!options.noPowerLevels) {
    const users: JsonObject = { [ADMIN]: 100, [BOB]: 50, [MALLORY]: 50 };
    // v12 creators must not be listed; before, the creator is conventionally given 100.
    if (!isV12(versionId)) users[ALICE] = 100;
    const extra = options.powerLevels ?? {};
    const extraUsers = isJsonObject(extra.users) ? extra.users : {};
    room.send({
      type: "m.room.power_levels",
      sender: ALICE,
      state_key: "",
      content: { ...extra, users: { ...users, ...extraUsers } },
    });
  }
  room.send({ type: "m.room.join_rules", sender: ALICE, state_key: "", content: { join_rule: "public" } });
  for (const user of [ADMIN, BOB, MALLORY, CAROL]) {
    put({ type: "m.room.member", sender: user, state_key: user, content: { membership: "join" } });
  }
  const joinRule = options.joinRule ?? "public";
  if (joinRule !== "public") {
    room.add(
      room.build({
        type: "m.room.join_rules",
        sender: ALICE,
        state_key: "",
        content: { join_rule: joinRule },
      }),
    );
  }
  return room;
}

export function member(user: string, membership: string, sender = user, extra: JsonObject = {}): EventSpec {
  return { type: "m.room.member", sender, state_key: user, content: { membership, ...extra } };
}

/** Puts a membership straight into the state (setting up a situation, not testing it). */
export function setMembership(room: TestRoom, user: string, membership: string, sender = ALICE): void {
  room.add(room.build(member(user, membership, sender)));
}

export interface AuthCase {
  name: string;
  /** The versions the case applies to; default all. */
  appliesTo?: readonly string[];
  /** The versions (among `appliesTo`) where the event is allowed. */
  allowIn: readonly string[];
  room?: RoomOptions;
  setup?: (room: TestRoom, versionId: string) => void;
  event: (room: TestRoom, versionId: string) => EventSpec;
  verdicts?: SignatureVerdicts;
}

/** One row per (case, version): `[label, case, version, expected allowed]`. */
export function expand(cases: readonly AuthCase[]): [string, AuthCase, string, boolean][] {
  const rows: [string, AuthCase, string, boolean][] = [];
  for (const c of cases) {
    for (const v of c.appliesTo ?? ALL_VERSIONS) {
      const allowed = c.allowIn.includes(v);
      rows.push([`${c.name} [v${v}: ${allowed ? "allow" : "reject"}]`, c, v, allowed]);
    }
  }
  return rows;
}

export function runCase(c: AuthCase, versionId: string): AuthResult {
  const room = standardRoom(versionId, c.room);
  c.setup?.(room, versionId);
  return room.check(c.event(room, versionId), c.verdicts ?? ALL_SIGNATURES_VALID);
}
