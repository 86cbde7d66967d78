import { describe, expect, it } from "vitest";
import type { JsonObject } from "../json.js";
import {
  conditionMatches,
  evaluatePushRules,
  memberCountMatches,
  type PushContext,
  pushOutcome,
  withoutHistoricalActions,
} from "./evaluate.js";
import { defaultRuleset, mergeRuleset, type PushRuleset, type UserPushRule } from "./rules.js";

const ME = "@alice:example.org";
const ROOM = "!room:example.org";

function ctx(overrides: Partial<PushContext> = {}): PushContext {
  return {
    userId: ME,
    displayName: "Alice Liddell",
    roomMemberCount: 5,
    senderPowerLevel: 0,
    notificationLevel: () => 50,
    ...overrides,
  };
}

const message = (content: JsonObject, extra: JsonObject = {}): JsonObject => ({
  type: "m.room.message",
  sender: "@bob:example.org",
  room_id: ROOM,
  content: { msgtype: "m.text", ...content },
  ...extra,
});

const defaults = defaultRuleset(ME);

function outcome(event: JsonObject, context = ctx(), ruleset: PushRuleset = defaults) {
  const match = evaluatePushRules(ruleset, event, context);
  return { rule: match?.ruleId, ...pushOutcome(match?.actions) };
}

describe("the default ruleset (client-server-api 'Predefined Rules')", () => {
  it("lists the spec's rules in the spec's order", () => {
    expect(defaults.override.map((r) => r.rule_id)).toEqual([
      ".m.rule.master",
      ".m.rule.suppress_notices",
      ".m.rule.invite_for_me",
      ".m.rule.member_event",
      ".m.rule.is_user_mention",
      ".m.rule.is_room_mention",
      ".m.rule.tombstone",
      ".m.rule.reaction",
      ".m.rule.room.server_acl",
      ".m.rule.suppress_edits",
    ]);
    expect(defaults.content).toEqual([]);
    expect(defaults.room).toEqual([]);
    expect(defaults.sender).toEqual([]);
    expect(defaults.underride.map((r) => r.rule_id)).toEqual([
      ".m.rule.call",
      ".m.rule.encrypted_room_one_to_one",
      ".m.rule.room_one_to_one",
      ".m.rule.message",
      ".m.rule.encrypted",
    ]);
    expect(defaults.override.every((r) => r.default)).toBe(true);
    expect(defaults.override[0]).toEqual({
      rule_id: ".m.rule.master",
      default: true,
      enabled: false,
      conditions: [],
      actions: [],
    });
  });

  it("defines .m.rule.is_user_mention as the spec does, with the user's ID filled in", () => {
    expect(defaults.override.find((r) => r.rule_id === ".m.rule.is_user_mention")).toEqual({
      rule_id: ".m.rule.is_user_mention",
      default: true,
      enabled: true,
      conditions: [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: ME }],
      actions: ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }],
    });
  });

  it("serves the legacy body-mention rules (v1.15, removed by MSC4210) only when asked", () => {
    const legacy = defaultRuleset(ME, { legacyMentionRules: true });
    expect(legacy.override.map((r) => r.rule_id)).toEqual([
      ".m.rule.master",
      ".m.rule.suppress_notices",
      ".m.rule.invite_for_me",
      ".m.rule.member_event",
      ".m.rule.is_user_mention",
      ".m.rule.contains_display_name",
      ".m.rule.is_room_mention",
      ".m.rule.roomnotif",
      ".m.rule.tombstone",
      ".m.rule.reaction",
      ".m.rule.room.server_acl",
      ".m.rule.suppress_edits",
    ]);
    expect(legacy.content.map((r) => [r.rule_id, r.pattern])).toEqual([
      [".m.rule.contains_user_name", "alice"],
    ]);
    expect(outcome(message({ body: "ping alice!" }), ctx(), legacy)).toMatchObject({
      rule: ".m.rule.contains_user_name",
      highlight: true,
    });
    expect(outcome(message({ body: "hey alice liddell, tea?" }), ctx(), legacy)).toMatchObject({
      rule: ".m.rule.contains_display_name",
      highlight: true,
    });
    expect(outcome(message({ body: "@room lunch" }), ctx({ senderPowerLevel: 50 }), legacy)).toMatchObject({
      rule: ".m.rule.roomnotif",
      highlight: true,
    });
    expect(outcome(message({ body: "ping alice!" }))).toMatchObject({
      rule: ".m.rule.message",
      highlight: false,
    });
  });

  const cases: Array<
    [
      string,
      JsonObject,
      Partial<PushContext>,
      { rule?: string; notify: boolean; highlight: boolean; sound?: string },
    ]
  > = [
    [
      "a message in a group room: .m.rule.message",
      message({ body: "hi" }),
      {},
      { rule: ".m.rule.message", notify: true, highlight: false },
    ],
    [
      "a message with exactly two members: .m.rule.room_one_to_one",
      message({ body: "hi" }),
      { roomMemberCount: 2 },
      { rule: ".m.rule.room_one_to_one", notify: true, highlight: false, sound: "default" },
    ],
    [
      "a notice: .m.rule.suppress_notices",
      message({ msgtype: "m.notice", body: "bot" }),
      {},
      { rule: ".m.rule.suppress_notices", notify: false, highlight: false },
    ],
    [
      "m.mentions.user_ids with me: .m.rule.is_user_mention",
      message({ body: "hey", "m.mentions": { user_ids: ["@carol:example.org", ME] } }),
      {},
      { rule: ".m.rule.is_user_mention", notify: true, highlight: true, sound: "default" },
    ],
    [
      "m.mentions.user_ids without me is a plain message",
      message({ body: "hey", "m.mentions": { user_ids: ["@carol:example.org"] } }),
      {},
      { rule: ".m.rule.message", notify: true, highlight: false },
    ],
    [
      "an @room mention from a sender with the power: .m.rule.is_room_mention",
      message({ body: "all", "m.mentions": { room: true } }),
      { senderPowerLevel: 50 },
      { rule: ".m.rule.is_room_mention", notify: true, highlight: true },
    ],
    [
      "an @room mention from a sender without it is a plain message",
      message({ body: "all", "m.mentions": { room: true } }),
      { senderPowerLevel: 49 },
      { rule: ".m.rule.message", notify: true, highlight: false },
    ],
    [
      "m.mentions.room as the string 'true' is no room mention (no casting)",
      message({ body: "all", "m.mentions": { room: "true" } }),
      { senderPowerLevel: 100 },
      { rule: ".m.rule.message", notify: true, highlight: false },
    ],
    [
      "an encrypted event in a group room: .m.rule.encrypted",
      {
        type: "m.room.encrypted",
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x" },
      },
      {},
      { rule: ".m.rule.encrypted", notify: true, highlight: false },
    ],
    [
      "an encrypted event in a 1:1 room: .m.rule.encrypted_room_one_to_one",
      { type: "m.room.encrypted", sender: "@bob:example.org", room_id: ROOM, content: { ciphertext: "x" } },
      { roomMemberCount: 2 },
      { rule: ".m.rule.encrypted_room_one_to_one", notify: true, highlight: false, sound: "default" },
    ],
    [
      "a call invite: .m.rule.call rings",
      { type: "m.call.invite", sender: "@bob:example.org", room_id: ROOM, content: {} },
      {},
      { rule: ".m.rule.call", notify: true, highlight: false, sound: "ring" },
    ],
    [
      "an invite for me: .m.rule.invite_for_me",
      {
        type: "m.room.member",
        state_key: ME,
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { membership: "invite" },
      },
      {},
      { rule: ".m.rule.invite_for_me", notify: true, highlight: false, sound: "default" },
    ],
    [
      "someone else's invite: .m.rule.member_event, silent",
      {
        type: "m.room.member",
        state_key: "@carol:example.org",
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { membership: "invite" },
      },
      {},
      { rule: ".m.rule.member_event", notify: false, highlight: false },
    ],
    [
      "a tombstone state event: .m.rule.tombstone",
      {
        type: "m.room.tombstone",
        state_key: "",
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { replacement_room: "!new:x" },
      },
      {},
      { rule: ".m.rule.tombstone", notify: true, highlight: true },
    ],
    [
      "a tombstone without a state_key matches nothing ('no implicit condition for state_key')",
      { type: "m.room.tombstone", sender: "@bob:example.org", room_id: ROOM, content: {} },
      {},
      { notify: false, highlight: false },
    ],
    [
      "a reaction: .m.rule.reaction",
      {
        type: "m.reaction",
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "👍" } },
      },
      {},
      { rule: ".m.rule.reaction", notify: false, highlight: false },
    ],
    [
      "a server ACL change: .m.rule.room.server_acl",
      { type: "m.room.server_acl", state_key: "", sender: "@bob:example.org", room_id: ROOM, content: {} },
      {},
      { rule: ".m.rule.room.server_acl", notify: false, highlight: false },
    ],
    [
      "an edit, even one mentioning me: .m.rule.suppress_edits",
      message({
        body: "* fixed",
        "m.relates_to": { rel_type: "m.replace", event_id: "$x" },
        "m.mentions": {},
      }),
      {},
      { rule: ".m.rule.suppress_edits", notify: false, highlight: false },
    ],
    [
      "a topic change matches no rule",
      {
        type: "m.room.topic",
        state_key: "",
        sender: "@bob:example.org",
        room_id: ROOM,
        content: { topic: "x" },
      },
      {},
      { notify: false, highlight: false },
    ],
  ];

  it.each(cases)("%s", (_name, event, context, expected) => {
    const result = outcome(event, ctx(context));
    expect(result.rule).toBe(expected.rule);
    expect(result.notify).toBe(expected.notify);
    expect(result.highlight).toBe(expected.highlight);
    expect(result.tweaks.sound).toBe(expected.sound);
  });
});

describe("ruleset evaluation order: override, content, room, sender, underride; first match wins", () => {
  const own = (rule: Partial<UserPushRule> & Pick<UserPushRule, "kind" | "rule_id">): UserPushRule => ({
    enabled: true,
    actions: ["notify", { set_tweak: "highlight" }],
    ...rule,
  });

  it("lets the user's rules of a kind come before the defaults of that kind, but after the master rule", () => {
    const merged = mergeRuleset(
      defaults,
      [own({ kind: "override", rule_id: "mine", conditions: [] })],
      new Map(),
    );
    expect(merged.override.slice(0, 3).map((r) => r.rule_id)).toEqual([
      ".m.rule.master",
      "mine",
      ".m.rule.suppress_notices",
    ]);
    expect(merged.override[1]).toEqual({
      rule_id: "mine",
      default: false,
      enabled: true,
      conditions: [],
      actions: ["notify", { set_tweak: "highlight" }],
    });
  });

  it("content rules match body words ('cake' example of the spec) and beat room rules", () => {
    const ruleset = mergeRuleset(
      defaults,
      [
        own({
          kind: "content",
          rule_id: "cake",
          pattern: "cake",
          actions: ["notify", { set_tweak: "sound", value: "cakealarm.wav" }],
        }),
        own({ kind: "room", rule_id: ROOM, actions: [] }),
      ],
      new Map(),
    );
    expect(outcome(message({ body: "Cake time" }), ctx(), ruleset)).toMatchObject({
      rule: "cake",
      tweaks: { sound: "cakealarm.wav" },
    });
    expect(outcome(message({ body: "cupcakes" }), ctx(), ruleset)).toMatchObject({
      rule: ROOM,
      notify: false,
    });
  });

  it("room rules beat sender rules, which beat underrides", () => {
    const ruleset = mergeRuleset(
      defaults,
      [
        own({ kind: "sender", rule_id: "@spambot:example.org", actions: [] }),
        own({ kind: "room", rule_id: "!other:x", actions: [] }),
      ],
      new Map(),
    );
    expect(
      outcome(message({ body: "buy" }, { sender: "@spambot:example.org" }), ctx(), ruleset),
    ).toMatchObject({
      rule: "@spambot:example.org",
      notify: false,
    });
    expect(outcome(message({ body: "buy" }), ctx(), ruleset)).toMatchObject({ rule: ".m.rule.message" });
  });

  it("skips disabled rules and applies the user's changes to default rules", () => {
    const changes = new Map([
      [".m.rule.message", { enabled: false }],
      [".m.rule.encrypted", { actions: ["notify", { set_tweak: "highlight", value: true }] }],
    ]);
    const ruleset = mergeRuleset(defaults, [], changes);
    expect(outcome(message({ body: "x" }), ctx(), ruleset).rule).toBeUndefined();
    expect(outcome({ type: "m.room.encrypted", sender: "@b:x", content: {} }, ctx(), ruleset)).toMatchObject({
      rule: ".m.rule.encrypted",
      highlight: true,
    });
  });

  it("an enabled master rule silences everything, even the user's own rules", () => {
    const ruleset = mergeRuleset(
      defaults,
      [own({ kind: "override", rule_id: "all", conditions: [] })],
      new Map([[".m.rule.master", { enabled: true }]]),
    );
    expect(outcome(message({ body: "x", "m.mentions": { user_ids: [ME] } }), ctx(), ruleset)).toMatchObject({
      rule: ".m.rule.master",
      notify: false,
    });
  });

  it("the spec's 'beer' override: body word and room_member_count <=10", () => {
    const ruleset = mergeRuleset(
      defaults,
      [
        own({
          kind: "override",
          rule_id: "U2VlIHlvdSBpbiBUaGUgRHVrZQ",
          conditions: [
            { kind: "event_match", key: "content.body", pattern: "beer" },
            { kind: "room_member_count", is: "<=10" },
          ],
          actions: ["notify", { set_tweak: "sound", value: "beeroclock.wav" }],
        }),
      ],
      new Map(),
    );
    expect(outcome(message({ body: "Beer?" }), ctx({ roomMemberCount: 10 }), ruleset).tweaks.sound).toBe(
      "beeroclock.wav",
    );
    expect(outcome(message({ body: "Beer?" }), ctx({ roomMemberCount: 11 }), ruleset).rule).toBe(
      ".m.rule.message",
    );
  });
});

describe("conditions", () => {
  const c = ctx();
  // The spec's examples for event_property_is (content.m\.federate = true) and
  // event_property_contains (content.alt_aliases contains "#myroom:example.com").
  it.each([
    [
      { kind: "event_property_is", key: "content.m\\.federate", value: true },
      { content: { "m.federate": true } },
      true,
    ],
    [
      { kind: "event_property_is", key: "content.m\\.federate", value: true },
      { content: { "m.federate": "true" } },
      false,
    ],
    [
      { kind: "event_property_is", key: "content.m\\.federate", value: true },
      { content: { "m.federate": 1 } },
      false,
    ],
    [{ kind: "event_property_is", key: "content.x", value: null }, { content: { x: null } }, true],
    [{ kind: "event_property_is", key: "content.x", value: null }, { content: {} }, false],
    [{ kind: "event_property_is", key: "content.x", value: 3 }, { content: { x: 3 } }, true],
    [{ kind: "event_property_is", key: "content.x", value: 1.5 }, { content: { x: 1.5 } }, false],
    [
      { kind: "event_property_contains", key: "content.alt_aliases", value: "#myroom:example.com" },
      { content: { alt_aliases: ["#somewhere:example.org", "#myroom:example.com"] } },
      true,
    ],
    [
      { kind: "event_property_contains", key: "content.alt_aliases", value: "#myroom:example.com" },
      { content: { alt_aliases: [":example.com"] } },
      false,
    ],
    [
      { kind: "event_property_contains", key: "content.alt_aliases", value: "#a:b" },
      { content: { alt_aliases: "#a:b" } },
      false,
    ],
    // event_match: "If the property ... does not have a string value, then the condition will not
    // match, even if pattern is *."
    [{ kind: "event_match", key: "content.topic", pattern: "*" }, { content: { topic: null } }, false],
    [{ kind: "event_match", key: "content.topic", pattern: "*" }, { content: {} }, false],
    [
      { kind: "event_match", key: "content.topic", pattern: "lunc?*" },
      { content: { topic: "Lunch plans" } },
      true,
    ],
    // Only content.body matches at word boundaries; other keys must match the whole value.
    [
      { kind: "event_match", key: "content.topic", pattern: "lunch" },
      { content: { topic: "Lunch plans" } },
      false,
    ],
    [
      { kind: "event_match", key: "content.body", pattern: "lunch" },
      { content: { body: "Lunch plans" } },
      true,
    ],
    [{ kind: "contains_display_name" }, { content: { body: "Alice Liddell: ping" } }, true],
    [{ kind: "contains_display_name" }, { content: { body: "Alice Liddellish" } }, false],
    [{ kind: "sender_notification_permission", key: "room" }, {}, false],
    [{ kind: "something_new", key: "type" }, { type: "m.room.message" }, false],
    [{ kind: "event_match", key: "type" }, { type: "m.room.message" }, false],
  ])("%j on %j is %s", (condition, event, expected) => {
    expect(conditionMatches(condition as never, event as JsonObject, c)).toBe(expected);
  });

  it("contains_display_name needs a display name", () => {
    expect(
      conditionMatches(
        { kind: "contains_display_name" },
        { content: { body: "hi" } },
        ctx({ displayName: undefined }),
      ),
    ).toBe(false);
    expect(
      conditionMatches(
        { kind: "contains_display_name" },
        { content: { body: "hi" } },
        ctx({ displayName: "" }),
      ),
    ).toBe(false);
  });

  it("sender_notification_permission compares the sender's level with notifications[key]", () => {
    const levels = (key: string) => (key === "room" ? 20 : 50);
    const cond = { kind: "sender_notification_permission", key: "room" };
    expect(conditionMatches(cond, {}, ctx({ senderPowerLevel: 20, notificationLevel: levels }))).toBe(true);
    expect(conditionMatches(cond, {}, ctx({ senderPowerLevel: 19, notificationLevel: levels }))).toBe(false);
    expect(conditionMatches(cond, {}, ctx({ senderPowerLevel: Number.POSITIVE_INFINITY }))).toBe(true);
  });

  it.each([
    ["2", 2, true],
    ["2", 3, false],
    ["==2", 2, true],
    ["<10", 9, true],
    ["<10", 10, false],
    [">10", 11, true],
    [">10", 10, false],
    ["<=10", 10, true],
    [">=10", 10, true],
    [">=10", 9, false],
    ["=2", 2, false],
    ["two", 2, false],
    ["", 0, false],
  ])("room_member_count is %j with %d members: %s", (is, count, expected) => {
    expect(memberCountMatches(is, count)).toBe(expected);
  });
});

describe("actions", () => {
  it("strips the historical dont_notify and coalesce ('MUST be equivalent to ... an empty actions array')", () => {
    expect(withoutHistoricalActions(["dont_notify"])).toEqual([]);
    expect(withoutHistoricalActions(["notify", "coalesce"])).toEqual(["notify"]);
    expect(pushOutcome(["dont_notify"])).toEqual({ notify: false, highlight: false, tweaks: {} });
  });

  it("reads highlight as true without a value, false when absent, and keeps other tweaks", () => {
    expect(pushOutcome(["notify", { set_tweak: "highlight" }]).highlight).toBe(true);
    expect(pushOutcome(["notify", { set_tweak: "highlight", value: false }]).highlight).toBe(false);
    expect(pushOutcome(["notify"]).highlight).toBe(false);
    expect(
      pushOutcome(["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "led", value: "blue" }])
        .tweaks,
    ).toEqual({
      sound: "default",
      led: "blue",
    });
  });
});
