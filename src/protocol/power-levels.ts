/**
 * Power levels: who may do what in a room (spec: `m.room.power_levels` in
 * data/event-schemas/schema/m.room.power_levels.yaml; server-server-api.md "Definitions" of required
 * power level and invite/kick/ban/redact level; content/rooms/v12.md for room creators).
 *
 * Parsed levels are cached per content object: events are immutable once built, and the same power
 * levels event is consulted for every event checked against it (the hot path of sending and of state
 * resolution).
 */

import { isJsonObject, type JsonObject, type JsonValue } from "./json.js";
import type { Pdu } from "./pdu.js";
import type { AuthorizationRules } from "./room-versions.js";

/** The levels of one `m.room.power_levels` content with the spec's defaults filled in. */
export interface LevelsContent {
  readonly users: ReadonlyMap<string, number>;
  readonly usersDefault: number;
  readonly eventsDefault: number;
  readonly stateDefault: number;
  readonly ban: number;
  readonly kick: number;
  readonly invite: number;
  readonly redact: number;
  readonly events: ReadonlyMap<string, number>;
  readonly notifications: ReadonlyMap<string, number>;
}

/** The power levels in force in some room state. */
export interface PowerLevels {
  readonly levels: LevelsContent;
  /** Whether the state has an `m.room.power_levels` event (without one, defaults apply and the
   * creator has 100 before room version 12). */
  readonly fromEvent: boolean;
  /** The room creators: `content.creator` of the create event (v1–v10), its sender (v11), its
   * sender plus `additional_creators` (v12). */
  readonly creators: ReadonlySet<string>;
  /** v12: creators have infinite power, whatever the power levels event says. */
  readonly creatorsHaveInfinitePower: boolean;
}

/** The level needed for one of the named actions, a given event, or an `@room`-style notification. */
export type PowerAction =
  | "invite"
  | "kick"
  | "ban"
  | "redact"
  | { readonly event: string; readonly state: boolean }
  | { readonly notification: string };

/** Defaults from the `m.room.power_levels` schema: kick, ban, redact and state_default are 50;
 * invite, events_default and users_default are 0; `notifications.room` is 50. */
export const DEFAULT_LEVELS: LevelsContent = Object.freeze({
  users: new Map<string, number>(),
  usersDefault: 0,
  eventsDefault: 0,
  stateDefault: 50,
  ban: 50,
  kick: 50,
  invite: 0,
  redact: 50,
  events: new Map<string, number>(),
  notifications: new Map<string, number>(),
});

/** What a creator has without a power levels event before room version 12 (m.room.power_levels
 * schema, `users_default` note). */
const CREATOR_LEVEL_WITHOUT_POWER_LEVELS = 100;
const DEFAULT_NOTIFICATION_LEVEL = 50;

/** content/rooms/fragments/v1-stringy-power-levels.md: base-10 digits, optional sign, optional
 * surrounding whitespace. */
const STRINGY_INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * A power level value, or undefined if it is not one.
 *
 * Room versions 1–9 also accept strings holding an integer (v1-stringy-power-levels) and floats,
 * truncated (v1-floaty-power-levels; only room versions 1–5 can carry floats at all, later ones
 * enforce canonical JSON). From version 10 (`integerPowerLevels`) only integers are levels.
 */
export function parseLevel(value: JsonValue | undefined, integerOnly: boolean): number | undefined {
  if (typeof value === "number") {
    if (integerOnly) return Number.isInteger(value) ? value : undefined;
    return Number.isFinite(value) ? Math.trunc(value) + 0 : undefined;
  }
  if (!integerOnly && typeof value === "string" && STRINGY_INTEGER.test(value)) {
    return Number.parseInt(value.trim(), 10) + 0;
  }
  return undefined;
}

function levelMap(value: JsonValue | undefined, integerOnly: boolean): Map<string, number> {
  const map = new Map<string, number>();
  if (!isJsonObject(value)) return map;
  for (const key in value) {
    const level = parseLevel(value[key], integerOnly);
    if (level !== undefined) map.set(key, level);
  }
  return map;
}

const parsedLenient = new WeakMap<JsonObject, LevelsContent>();
const parsedIntegerOnly = new WeakMap<JsonObject, LevelsContent>();

/**
 * The levels of a power levels content, defaults filled in. A value that is not a level (already
 * refused by the auth rules when the event was accepted, or an older room's oddity) counts as absent.
 */
export function parseLevelsContent(content: JsonObject, integerOnly: boolean): LevelsContent {
  const cache = integerOnly ? parsedIntegerOnly : parsedLenient;
  const cached = cache.get(content);
  if (cached) return cached;
  const level = (key: string, fallback: number) => parseLevel(content[key], integerOnly) ?? fallback;
  const parsed: LevelsContent = {
    users: levelMap(content.users, integerOnly),
    usersDefault: level("users_default", DEFAULT_LEVELS.usersDefault),
    eventsDefault: level("events_default", DEFAULT_LEVELS.eventsDefault),
    stateDefault: level("state_default", DEFAULT_LEVELS.stateDefault),
    ban: level("ban", DEFAULT_LEVELS.ban),
    kick: level("kick", DEFAULT_LEVELS.kick),
    invite: level("invite", DEFAULT_LEVELS.invite),
    redact: level("redact", DEFAULT_LEVELS.redact),
    events: levelMap(content.events, integerOnly),
    notifications: levelMap(content.notifications, integerOnly),
  };
  cache.set(content, parsed);
  return parsed;
}

const creatorsCache = new WeakMap<Pdu, Map<AuthorizationRules, ReadonlySet<string>>>();

/**
 * The room creators named by a create event: `content.creator` while `creatorInContent` (v1–v10),
 * else the sender (v11, content/rooms/v11.md), plus the `additional_creators` once creators have
 * infinite power (v12, MSC4289).
 */
export function roomCreators(create: Pdu | undefined, rules: AuthorizationRules): ReadonlySet<string> {
  if (!create) return new Set();
  let byRules = creatorsCache.get(create);
  const cached = byRules?.get(rules);
  if (cached) return cached;
  const creators = new Set<string>();
  if (rules.creatorInContent) {
    const creator = create.content.creator;
    if (typeof creator === "string") creators.add(creator);
  } else {
    creators.add(create.sender);
  }
  if (rules.creatorsHaveInfinitePower) {
    const additional = create.content.additional_creators;
    if (Array.isArray(additional)) {
      for (const user of additional) if (typeof user === "string") creators.add(user);
    }
  }
  if (!byRules) {
    byRules = new Map();
    creatorsCache.set(create, byRules);
  }
  byRules.set(rules, creators);
  return creators;
}

/** The power levels in force given the state's power levels and create events (either may be
 * absent). */
export function powerLevelsFrom(
  powerLevels: Pdu | undefined,
  create: Pdu | undefined,
  rules: AuthorizationRules,
): PowerLevels {
  return {
    levels: powerLevels ? parseLevelsContent(powerLevels.content, rules.integerPowerLevels) : DEFAULT_LEVELS,
    fromEvent: powerLevels !== undefined,
    creators: roomCreators(create, rules),
    creatorsHaveInfinitePower: rules.creatorsHaveInfinitePower,
  };
}

/** A user's power level. Infinity for v12 room creators (content/rooms/v12.md: "The power level of
 * room creators is infinitely high"). */
export function userLevel(pl: PowerLevels, userId: string): number {
  if (pl.creatorsHaveInfinitePower && pl.creators.has(userId)) return Number.POSITIVE_INFINITY;
  if (!pl.fromEvent) {
    return pl.creators.has(userId) ? CREATOR_LEVEL_WITHOUT_POWER_LEVELS : pl.levels.usersDefault;
  }
  return pl.levels.users.get(userId) ?? pl.levels.usersDefault;
}

/** The *required power level* to send an event of this type (server-server-api.md "Definitions"):
 * listed in `events`, else `state_default` for state events and `events_default` otherwise. */
export function eventLevel(pl: PowerLevels, type: string, isState: boolean): number {
  return pl.levels.events.get(type) ?? (isState ? pl.levels.stateDefault : pl.levels.eventsDefault);
}

/** The level for a notification key such as `room` (`@room`); 50 unless set. */
export function notificationLevel(pl: PowerLevels, key: string): number {
  return pl.levels.notifications.get(key) ?? DEFAULT_NOTIFICATION_LEVEL;
}

export function requiredLevel(pl: PowerLevels, action: PowerAction): number {
  if (typeof action === "string") return pl.levels[action];
  if ("event" in action) return eventLevel(pl, action.event, action.state);
  return notificationLevel(pl, action.notification);
}

/** Whether the user's level reaches the level the action requires. */
export function canDo(pl: PowerLevels, userId: string, action: PowerAction): boolean {
  return userLevel(pl, userId) >= requiredLevel(pl, action);
}
