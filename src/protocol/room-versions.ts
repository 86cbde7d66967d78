/**
 * The room version table (spec: content/rooms/v1.md … v12.md).
 *
 * Room-version differences are data, never `if (version >= n)` comparisons: the string "2" sorts
 * after "11". Every rule in protocol/ takes the `RoomVersion` record (or the part of it it needs)
 * and branches on these named fields.
 */

/** How event IDs are made. v1: `$opaque:server` chosen by the origin; v3: `$` + unpadded base64 of the
 * reference hash; v4 and later: the same in URL-safe base64. */
export type EventIdFormat = "v1" | "v3" | "v4";

/** Which keys the redaction algorithm keeps. v1 (rooms 1–5), v6 (drops `m.room.aliases` content),
 * v8 (keeps `allow` of join rules), v9 (keeps `join_authorised_via_users_server`), v11 (rooms 11, 12). */
export type RedactionRules = "v1" | "v6" | "v8" | "v9" | "v11";

/** State resolution algorithm: v1 for room version 1, v2 for 2–11, v2.1 for 12. */
export type StateResolutionAlgorithm = "v1" | "v2" | "v2.1";

/** The authorization rule switches that differ between room versions. */
export interface AuthorizationRules {
  /** v1, v2: a redaction's sender domain may match the redacted event's domain (checked at auth time). */
  redactionDomainCheckAtAuth: boolean;
  /** v1–v5: `m.room.aliases` events have their own auth rule. */
  specialCaseAliasesEvents: boolean;
  /** v6+: the `notifications` key of power levels is checked on change. */
  checkNotificationsPowerLevel: boolean;
  /** v7+: `knock` membership and join rule. */
  knocking: boolean;
  /** v8+: `restricted` join rule with `join_authorised_via_users_server`. */
  restrictedJoins: boolean;
  /** v10+: `knock_restricted` join rule. */
  knockRestrictedJoinRule: boolean;
  /** v10+: power level values must be integers, not strings. */
  integerPowerLevels: boolean;
  /** v1–v10: `m.room.create` content carries `creator`; v11+ uses the event's sender. */
  creatorInContent: boolean;
  /** v11+: `redacts` is a content property of `m.room.redaction`. */
  redactsInContent: boolean;
  /** v12: the room ID is derived from the create event, which has no `room_id` and is not cited in
   * `auth_events`. */
  roomIdFromCreateEvent: boolean;
  /** v12: the create event's sender and `additional_creators` have unlimited power. */
  creatorsHaveInfinitePower: boolean;
}

export interface RoomVersion {
  id: string;
  stable: boolean;
  eventIdFormat: EventIdFormat;
  redaction: RedactionRules;
  stateResolution: StateResolutionAlgorithm;
  /** v6+: reject floats and integers outside [-(2^53)+1, 2^53-1] in events. */
  strictCanonicalJson: boolean;
  /** v5+: a signing key must be valid (`valid_until_ts`) when the event was sent. */
  enforceKeyValidity: boolean;
  authorization: AuthorizationRules;
}

const v1Authorization: AuthorizationRules = {
  redactionDomainCheckAtAuth: true,
  specialCaseAliasesEvents: true,
  checkNotificationsPowerLevel: false,
  knocking: false,
  restrictedJoins: false,
  knockRestrictedJoinRule: false,
  integerPowerLevels: false,
  creatorInContent: true,
  redactsInContent: false,
  roomIdFromCreateEvent: false,
  creatorsHaveInfinitePower: false,
};

const v1: RoomVersion = {
  id: "1",
  stable: true,
  eventIdFormat: "v1",
  redaction: "v1",
  stateResolution: "v1",
  strictCanonicalJson: false,
  enforceKeyValidity: false,
  authorization: v1Authorization,
};
const v2: RoomVersion = { ...v1, id: "2", stateResolution: "v2" };
const v3: RoomVersion = {
  ...v2,
  id: "3",
  eventIdFormat: "v3",
  authorization: { ...v2.authorization, redactionDomainCheckAtAuth: false },
};
const v4: RoomVersion = { ...v3, id: "4", eventIdFormat: "v4" };
const v5: RoomVersion = { ...v4, id: "5", enforceKeyValidity: true };
const v6: RoomVersion = {
  ...v5,
  id: "6",
  redaction: "v6",
  strictCanonicalJson: true,
  authorization: { ...v5.authorization, specialCaseAliasesEvents: false, checkNotificationsPowerLevel: true },
};
const v7: RoomVersion = { ...v6, id: "7", authorization: { ...v6.authorization, knocking: true } };
const v8: RoomVersion = {
  ...v7,
  id: "8",
  redaction: "v8",
  authorization: { ...v7.authorization, restrictedJoins: true },
};
const v9: RoomVersion = { ...v8, id: "9", redaction: "v9" };
const v10: RoomVersion = {
  ...v9,
  id: "10",
  authorization: { ...v9.authorization, knockRestrictedJoinRule: true, integerPowerLevels: true },
};
const v11: RoomVersion = {
  ...v10,
  id: "11",
  redaction: "v11",
  authorization: { ...v10.authorization, creatorInContent: false, redactsInContent: true },
};
const v12: RoomVersion = {
  ...v11,
  id: "12",
  stateResolution: "v2.1",
  authorization: { ...v11.authorization, roomIdFromCreateEvent: true, creatorsHaveInfinitePower: true },
};

export const ROOM_VERSIONS: ReadonlyMap<string, RoomVersion> = new Map(
  [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12].map((v) => [v.id, v]),
);

/** The version new rooms get unless the creator asks for another. */
export const DEFAULT_ROOM_VERSION = "12";

/** The room version record, or undefined for a version this server does not know. Callers turn
 * undefined into `M_UNSUPPORTED_ROOM_VERSION` (or `M_INCOMPATIBLE_ROOM_VERSION` over federation). */
export function getRoomVersion(id: string): RoomVersion | undefined {
  return ROOM_VERSIONS.get(id);
}
