/**
 * The redaction algorithm (spec: content/rooms/fragments/v1-redactions.md, v6-redactions.md,
 * content/rooms/v8.md "Redactions", fragments/v9-redactions.md, v11-redactions.md; the
 * client-server API "Redactions" section defers to these).
 *
 * Redaction strips an event to the keys the protocol needs. It is applied when an event is redacted,
 * and also before signing and before computing the reference hash (content/server-server-api.md
 * "Signing Events"), so each room version's key lists must be exact.
 */

import { cloneJson, isJsonObject, type JsonObject } from "./json.js";
import type { RedactionRules } from "./room-versions.js";

interface RedactionAlgorithm {
  /** Top-level keys kept; every other key (including `unsigned`) is removed. */
  topLevel: ReadonlySet<string>;
  /** Content keys kept per event type; `"all"` keeps the whole content. Other types keep none. */
  content: Readonly<Record<string, readonly string[] | "all">>;
  /** v11: `m.room.member` keeps `third_party_invite`, but only its `signed` key. */
  keepThirdPartyInviteSigned: boolean;
}

const TOP_LEVEL_V1 = [
  "event_id",
  "type",
  "room_id",
  "sender",
  "state_key",
  "content",
  "hashes",
  "signatures",
  "depth",
  "prev_events",
  "prev_state",
  "auth_events",
  "origin",
  "origin_server_ts",
  "membership",
];

const POWER_LEVELS_V1 = [
  "ban",
  "events",
  "events_default",
  "kick",
  "redact",
  "state_default",
  "users",
  "users_default",
];

const V1: RedactionAlgorithm = {
  topLevel: new Set(TOP_LEVEL_V1),
  content: {
    "m.room.member": ["membership"],
    "m.room.create": ["creator"],
    "m.room.join_rules": ["join_rule"],
    "m.room.power_levels": POWER_LEVELS_V1,
    "m.room.aliases": ["aliases"],
    "m.room.history_visibility": ["history_visibility"],
  },
  keepThirdPartyInviteSigned: false,
};

// v6: "m.room.aliases" no longer keeps `aliases` (content/rooms/v6.md "Redactions").
const { "m.room.aliases": _aliases, ...V6_CONTENT } = V1.content;
const V6: RedactionAlgorithm = { ...V1, content: V6_CONTENT };

// v8: join rules keep `allow` (content/rooms/v8.md "Redactions").
const V8: RedactionAlgorithm = {
  ...V6,
  content: { ...V6.content, "m.room.join_rules": ["join_rule", "allow"] },
};

// v9: member events keep `join_authorised_via_users_server` (content/rooms/v9.md "Redactions").
const V9: RedactionAlgorithm = {
  ...V8,
  content: { ...V8.content, "m.room.member": ["membership", "join_authorised_via_users_server"] },
};

// v11: "The top-level origin, membership, and prev_state properties are no longer protected from
// redaction. The m.room.create event now keeps the entire content property. The m.room.redaction
// event keeps the redacts property under content. The m.room.power_levels event keeps the invite
// property under content." Member events keep `third_party_invite.signed` (content/rooms/v11.md).
const V11: RedactionAlgorithm = {
  topLevel: new Set(TOP_LEVEL_V1.filter((key) => !["origin", "membership", "prev_state"].includes(key))),
  content: {
    ...V9.content,
    "m.room.create": "all",
    "m.room.power_levels": [...POWER_LEVELS_V1, "invite"].sort(),
    "m.room.redaction": ["redacts"],
  },
  keepThirdPartyInviteSigned: true,
};

const ALGORITHMS: Readonly<Record<RedactionRules, RedactionAlgorithm>> = {
  v1: V1,
  v6: V6,
  v8: V8,
  v9: V9,
  v11: V11,
};

/**
 * The redacted form of `event` under the given rules. Returns a new object (sharing nothing with the
 * input); the input is never changed. A `content` that is not an object becomes `{}`; an absent
 * `content` stays absent.
 */
export function redactEvent(event: JsonObject, rules: RedactionRules): JsonObject {
  const algorithm = ALGORITHMS[rules];
  const redacted: JsonObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "content") continue;
    if (algorithm.topLevel.has(key)) redacted[key] = cloneJson(value);
  }
  if ("content" in event) {
    redacted.content = redactContent(event.content, event.type, algorithm);
  }
  return redacted;
}

function redactContent(content: unknown, type: unknown, algorithm: RedactionAlgorithm): JsonObject {
  if (!isJsonObject(content)) return {};
  const kept =
    typeof type === "string" && Object.hasOwn(algorithm.content, type) ? algorithm.content[type] : [];
  if (kept === "all") return cloneJson(content);
  const redacted: JsonObject = {};
  for (const key of kept ?? []) {
    const value = content[key];
    if (value !== undefined) redacted[key] = cloneJson(value);
  }
  if (algorithm.keepThirdPartyInviteSigned && type === "m.room.member") {
    const invite = content.third_party_invite;
    if (isJsonObject(invite) && invite.signed !== undefined) {
      redacted.third_party_invite = { signed: cloneJson(invite.signed) };
    }
  }
  return redacted;
}
