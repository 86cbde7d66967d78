/**
 * The `m.room.power_levels` rules (content/rooms/v1.md rule 10, v6–v9 rule 9, v10–v11 rule 9, v12
 * rule 10): the content must be well formed, and a sender can neither grant nor take away more power
 * than they hold.
 */

import { isJsonObject, type JsonObject, type JsonValue } from "../json.js";
import { CREATE_KEY, POWER_LEVELS_KEY, type RoomEvent } from "../pdu.js";
import { parseLevel, roomCreators, userLevel } from "../power-levels.js";
import type { AuthorizationRules } from "../room-versions.js";
import { type AuthState, powerLevelsIn } from "./auth-state.js";
import { isValidUserIdForAuth } from "./ids.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

/** The top-level levels whose alteration is checked (rule "For the properties users_default, …"). */
const TOP_LEVEL_KEYS = [
  "users_default",
  "events_default",
  "state_default",
  "ban",
  "redact",
  "kick",
  "invite",
] as const;

export function checkPowerLevels(event: RoomEvent, state: AuthState, rules: AuthorizationRules): AuthResult {
  const content = event.pdu.content;
  const integerOnly = rules.integerPowerLevels;

  const problem = powerLevelsContentProblem(content, rules);
  if (problem !== undefined) return reject(`m.room.power_levels: ${problem}`);

  // v12: creators have infinite power and must not be listed in `users` (MSC4289).
  if (rules.creatorsHaveInfinitePower && isJsonObject(content.users)) {
    for (const creator of roomCreators(state.get(CREATE_KEY)?.pdu, rules)) {
      if (Object.hasOwn(content.users, creator)) {
        return reject(`m.room.power_levels: users lists the room creator ${creator}`);
      }
    }
  }

  // "If there is no previous m.room.power_levels event in the room, allow."
  const previous = state.get(POWER_LEVELS_KEY);
  if (!previous) return ALLOW;
  const old = previous.pdu.content;
  const sender = event.pdu.sender;
  const senderLevel = userLevel(powerLevelsIn(state, rules), sender);

  // The comparisons below are between values present in the old and new content; an absent value is
  // not compared with anything (the spec speaks of the "current value" and the "new value", and a
  // property that is absent has none — Synapse and Ruma read it the same way).
  // For users_default … invite: a changed value may neither start nor end above the sender's level.
  for (const key of TOP_LEVEL_KEYS) {
    const verdict = checkAlteration(old[key], content[key], senderLevel, integerOnly, key, "above");
    if (verdict) return verdict;
  }
  // For entries of `events` (and `notifications`, v6+): changed or removed entries must not start
  // above the sender's level; added or changed entries must not end above it.
  const maps = rules.checkNotificationsPowerLevel
    ? (["events", "notifications"] as const)
    : (["events"] as const);
  for (const map of maps) {
    const oldMap = objectOrEmpty(old[map]);
    const newMap = objectOrEmpty(content[map]);
    for (const key of unionKeys(oldMap, newMap)) {
      const verdict = checkAlteration(
        oldMap[key],
        newMap[key],
        senderLevel,
        integerOnly,
        `${map}.${key}`,
        "above",
      );
      if (verdict) return verdict;
    }
  }
  // For entries of `users`: a changed or removed entry other than the sender's own must be strictly
  // below the sender's level (peers cannot demote each other), and an added or changed entry must
  // not end above it. The sender may lower their own entry.
  const oldUsers = objectOrEmpty(old.users);
  const newUsers = objectOrEmpty(content.users);
  for (const user of unionKeys(oldUsers, newUsers)) {
    const oldRule = user === sender ? "unchecked" : "at-or-above";
    const verdict = checkAlteration(
      oldUsers[user],
      newUsers[user],
      senderLevel,
      integerOnly,
      `users.${user}`,
      oldRule,
    );
    if (verdict) return verdict;
  }
  // "Otherwise, allow."
  return ALLOW;
}

/** Which current values of an altered property are out of the sender's reach. */
type OldValueRule = "above" | "at-or-above" | "unchecked";

/** One property's alteration, or undefined if it is allowed (or unchanged). */
function checkAlteration(
  oldValue: JsonValue | undefined,
  newValue: JsonValue | undefined,
  senderLevel: number,
  integerOnly: boolean,
  what: string,
  oldRule: OldValueRule,
): AuthResult | undefined {
  // Values already in the room that are not levels (possible in old rooms) count as absent.
  const oldLevel = parseLevel(oldValue, integerOnly);
  const newLevel = parseLevel(newValue, integerOnly);
  if (newValue !== undefined && newLevel === undefined) {
    return reject(`m.room.power_levels: ${what} is not a power level`);
  }
  if (oldLevel === newLevel) return undefined;
  if (oldLevel !== undefined) {
    if (oldRule === "at-or-above" && oldLevel >= senderLevel) {
      return reject(`m.room.power_levels: cannot change ${what}, at or above the sender's level`);
    }
    if (oldRule === "above" && oldLevel > senderLevel) {
      return reject(`m.room.power_levels: cannot change ${what} from above the sender's level`);
    }
  }
  if (newLevel !== undefined && newLevel > senderLevel) {
    return reject(`m.room.power_levels: cannot set ${what} above the sender's level`);
  }
  return undefined;
}

/**
 * Why a power levels content is malformed, or undefined if it is well formed (v1 rule 10.1; v10+
 * rules 10.1–10.3 demand integers everywhere, earlier versions also accept integer strings).
 */
export function powerLevelsContentProblem(
  content: JsonObject,
  rules: AuthorizationRules,
): string | undefined {
  const integerOnly = rules.integerPowerLevels;
  if (integerOnly) {
    // v10+: "If any of the properties users_default, … invite in content are present and not an
    // integer, reject."
    for (const key of TOP_LEVEL_KEYS) {
      if (Object.hasOwn(content, key) && !Number.isInteger(content[key])) return `${key} is not an integer`;
    }
    // v10+: "If either of the properties events or notifications in content are present and not an
    // object with values that are integers, reject."
    for (const key of ["events", "notifications"] as const) {
      if (!Object.hasOwn(content, key)) continue;
      const map = content[key];
      if (!isJsonObject(map)) return `${key} is not an object`;
      for (const entry in map) if (!Number.isInteger(map[entry])) return `${key}.${entry} is not an integer`;
    }
  }
  // "If the users property in content is not an object with keys that are valid user IDs with values
  // that are integers (or a string that is an integer, before v10), reject."
  if (Object.hasOwn(content, "users")) {
    const users = content.users;
    if (!isJsonObject(users)) return "users is not an object";
    for (const user in users) {
      if (!isValidUserIdForAuth(user)) return `users has a key that is not a user ID: ${user}`;
      if (parseLevel(users[user], integerOnly) === undefined) return `users.${user} is not an integer`;
    }
  }
  return undefined;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

function objectOrEmpty(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : EMPTY;
}

function unionKeys(a: JsonObject, b: JsonObject): Set<string> {
  const keys = new Set(Object.keys(a));
  for (const key of Object.keys(b)) keys.add(key);
  return keys;
}
