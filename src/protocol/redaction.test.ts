import { describe, expect, it } from "vitest";
import { encodeCanonicalJson } from "./canonical-json.js";
import type { JsonObject } from "./json.js";
import { redactEvent } from "./redaction.js";
import { ROOM_VERSIONS } from "./room-versions.js";

/** An event with every top-level key any version keeps, plus some that none keeps. */
const envelope = {
  event_id: "$e:x",
  room_id: "!r:x",
  sender: "@u:x",
  depth: 7,
  prev_events: ["$p:x"],
  prev_state: [],
  auth_events: ["$a:x"],
  origin: "x",
  origin_server_ts: 1000,
  membership: "join",
  hashes: { sha256: "abc" },
  signatures: { x: { "ed25519:1": "sig" } },
  unsigned: { age_ts: 1000 },
  redacts: "$old:x",
  extra: "dropped",
};

const event = (type: string, content: JsonObject, stateKey?: string): JsonObject => ({
  ...envelope,
  type,
  ...(stateKey === undefined ? {} : { state_key: stateKey }),
  content,
});

const topLevelV1 = (type: string, content: JsonObject, stateKey?: string): JsonObject => {
  const { unsigned: _u, redacts: _r, extra: _e, ...kept } = envelope;
  return { ...kept, type, ...(stateKey === undefined ? {} : { state_key: stateKey }), content };
};

const topLevelV11 = (type: string, content: JsonObject, stateKey?: string): JsonObject => {
  const { origin: _o, membership: _m, prev_state: _p, ...kept } = topLevelV1(type, content, stateKey);
  return kept;
};

const powerLevels = {
  ban: 50,
  events: { "m.room.name": 100 },
  events_default: 0,
  invite: 0,
  kick: 50,
  notifications: { room: 50 },
  redact: 50,
  state_default: 50,
  users: { "@u:x": 100 },
  users_default: 0,
};
const { invite: _invite, notifications: _notifications, ...powerLevelsV1 } = powerLevels;
const { notifications: _n, ...powerLevelsV11 } = powerLevels;

const member = {
  membership: "join",
  displayname: "U",
  avatar_url: "mxc://x/y",
  join_authorised_via_users_server: "@admin:x",
  third_party_invite: { display_name: "alice", signed: { mxid: "@u:x", token: "t", signatures: {} } },
};

describe("redaction, top-level keys", () => {
  it("v1–v9 keep origin, membership, prev_state; drop unsigned and unknown keys (even `redacts`)", () => {
    for (const rules of ["v1", "v6", "v8", "v9"] as const) {
      expect(redactEvent(event("m.room.message", { body: "hi" }), rules)).toEqual(
        topLevelV1("m.room.message", {}),
      );
    }
  });

  it("v11: 'The top-level origin, membership, and prev_state properties are no longer protected'", () => {
    expect(redactEvent(event("m.room.message", { body: "hi" }), "v11")).toEqual(
      topLevelV11("m.room.message", {}),
    );
  });

  it("keeps state_key, even empty", () => {
    expect(redactEvent(event("m.room.topic", { topic: "t" }, ""), "v11").state_key).toBe("");
  });
});

describe("redaction, content per event type and version", () => {
  // [type, content, kept content per rules v1, v6, v8, v9, v11]
  const cases: [string, JsonObject, JsonObject, JsonObject, JsonObject, JsonObject, JsonObject][] = [
    [
      "m.room.member",
      member,
      { membership: "join" },
      { membership: "join" },
      { membership: "join" },
      { membership: "join", join_authorised_via_users_server: "@admin:x" },
      {
        membership: "join",
        join_authorised_via_users_server: "@admin:x",
        third_party_invite: { signed: { mxid: "@u:x", token: "t", signatures: {} } },
      },
    ],
    [
      "m.room.create",
      { creator: "@u:x", room_version: "1", "m.federate": false, predecessor: { room_id: "!o:x" } },
      { creator: "@u:x" },
      { creator: "@u:x" },
      { creator: "@u:x" },
      { creator: "@u:x" },
      { creator: "@u:x", room_version: "1", "m.federate": false, predecessor: { room_id: "!o:x" } },
    ],
    [
      "m.room.join_rules",
      { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:x" }], other: 1 },
      { join_rule: "restricted" },
      { join_rule: "restricted" },
      { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:x" }] },
      { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:x" }] },
      { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:x" }] },
    ],
    [
      "m.room.power_levels",
      powerLevels,
      powerLevelsV1,
      powerLevelsV1,
      powerLevelsV1,
      powerLevelsV1,
      powerLevelsV11,
    ],
    ["m.room.aliases", { aliases: ["#a:x"], other: 1 }, { aliases: ["#a:x"] }, {}, {}, {}, {}],
    [
      "m.room.history_visibility",
      { history_visibility: "shared", other: 1 },
      { history_visibility: "shared" },
      { history_visibility: "shared" },
      { history_visibility: "shared" },
      { history_visibility: "shared" },
      { history_visibility: "shared" },
    ],
    ["m.room.redaction", { redacts: "$old:x", reason: "spam" }, {}, {}, {}, {}, { redacts: "$old:x" }],
    ["m.room.message", { body: "hi", msgtype: "m.text" }, {}, {}, {}, {}, {}],
    ["m.room.name", { name: "secret" }, {}, {}, {}, {}, {}],
  ];

  for (const [type, content, v1, v6, v8, v9, v11] of cases) {
    const expected = { v1, v6, v8, v9, v11 } as const;
    for (const rules of ["v1", "v6", "v8", "v9", "v11"] as const) {
      it(`${type} under ${rules} keeps ${JSON.stringify(Object.keys(expected[rules]))}`, () => {
        expect(redactEvent(event(type, content, ""), rules).content).toEqual(expected[rules]);
      });
    }
  }

  it("v11 drops third_party_invite when it has no `signed`", () => {
    const content = { membership: "invite", third_party_invite: { display_name: "a" } };
    expect(redactEvent(event("m.room.member", content, "@u:x"), "v11").content).toEqual({
      membership: "invite",
    });
  });

  it("treats a non-object content as empty and leaves an absent content absent", () => {
    expect(redactEvent({ type: "m.room.member", content: "x" }, "v1")).toEqual({
      type: "m.room.member",
      content: {},
    });
    expect(redactEvent({ type: "m.room.member" }, "v1")).toEqual({ type: "m.room.member" });
  });

  it("does not treat inherited names such as `constructor` as event types", () => {
    expect(redactEvent({ type: "constructor", content: { a: 1 } }, "v11")).toEqual({
      type: "constructor",
      content: {},
    });
  });
});

describe("redaction of hostile keys", () => {
  it("keeps a `__proto__` key in v11 create content (it is hashed, so dropping it would change the room ID)", () => {
    const create = JSON.parse('{"type":"m.room.create","content":{"__proto__":{"a":1},"room_version":"11"}}');
    const redacted = redactEvent(create, "v11");
    expect(encodeCanonicalJson(redacted)).toBe(
      '{"content":{"__proto__":{"a":1},"room_version":"11"},"type":"m.room.create"}',
    );
  });
});

describe("redaction is pure", () => {
  it("never mutates its input and shares no objects with it", () => {
    const input = event("m.room.power_levels", powerLevels, "");
    const before = structuredClone(input);
    const redacted = redactEvent(input, "v11");
    expect(input).toEqual(before);
    (redacted.content as { users: JsonObject }).users["@v:x"] = 1;
    (redacted.signatures as { x: JsonObject }).x.k = "s";
    expect(input).toEqual(before);
  });

  it("is idempotent", () => {
    for (const rules of ["v1", "v6", "v8", "v9", "v11"] as const) {
      const once = redactEvent(event("m.room.member", member, "@u:x"), rules);
      expect(redactEvent(once, rules)).toEqual(once);
    }
  });
});

describe("the room version table groups redaction rules as the spec does", () => {
  // v1–v5: fragments/v1-redactions; v6, v7: v6-redactions; v8: its own list; v9, v10: v9-redactions;
  // v11, v12: v11-redactions.
  it("maps each version to its rules", () => {
    const table = Object.fromEntries([...ROOM_VERSIONS.values()].map((v) => [v.id, v.redaction]));
    expect(table).toEqual({
      "1": "v1",
      "2": "v1",
      "3": "v1",
      "4": "v1",
      "5": "v1",
      "6": "v6",
      "7": "v6",
      "8": "v8",
      "9": "v9",
      "10": "v9",
      "11": "v11",
      "12": "v11",
    });
  });
});
