import { describe, expect, it } from "vitest";
import { checkActions, checkConditions, checkRuleId, checkUserRule } from "./validate.js";

describe("checking user-defined push rules (pushrules.yaml PUT)", () => {
  it.each([
    ["override", "mine", undefined],
    ["override", ".m.rule.master", "rule_id must not start with '.': those are server-default rules"],
    ["override", "a/b", "rule_id must not contain '/' or '\\'"],
    ["override", "a\\b", "rule_id must not contain '/' or '\\'"],
    ["room", "!r:x", undefined],
    ["room", "r", "rule_id of a room rule must be a room ID"],
    ["sender", "@u:x", undefined],
    ["sender", "u", "rule_id of a sender rule must be a user ID"],
  ] as const)("%s rule %j: %s", (kind, ruleId, problem) => {
    expect(checkRuleId(kind, ruleId)).toBe(problem);
  });

  it("accepts the spec's action forms and refuses others", () => {
    expect(
      checkActions(["notify", { set_tweak: "sound", value: "bing" }, "dont_notify", "coalesce"]).ok,
    ).toBe(true);
    expect(checkActions("notify").ok).toBe(false);
    expect(checkActions(["notify_loudly"]).ok).toBe(false);
    expect(checkActions([{ value: 1 }]).ok).toBe(false);
  });

  it("checks the parameters of the conditions it knows and lets unknown kinds through", () => {
    expect(checkConditions([{ kind: "event_match", key: "type", pattern: "m.*" }]).ok).toBe(true);
    expect(checkConditions([{ kind: "event_match", key: "type" }])).toEqual({
      ok: false,
      error: "conditions[0].pattern must be a string for event_match",
    });
    expect(checkConditions([{ kind: "event_property_is", key: "content.x", value: { a: 1 } }]).ok).toBe(
      false,
    );
    expect(checkConditions([{ kind: "room_member_count", is: "about 3" }]).ok).toBe(false);
    expect(checkConditions([{ kind: "room_member_count", is: ">=3" }]).ok).toBe(true);
    expect(checkConditions([{ kind: "future_condition", anything: 1 }]).ok).toBe(true);
    expect(checkConditions([{ key: "type" }]).ok).toBe(false);
  });

  it("requires a pattern for content rules; new rules are enabled", () => {
    expect(checkUserRule("content", "cake", { actions: ["notify"] }).ok).toBe(false);
    expect(checkUserRule("content", "cake", { actions: ["notify"], pattern: "cake*lie" })).toEqual({
      ok: true,
      value: { kind: "content", rule_id: "cake", enabled: true, actions: ["notify"], pattern: "cake*lie" },
    });
    expect(checkUserRule("override", "o", { actions: [] })).toEqual({
      ok: true,
      value: { kind: "override", rule_id: "o", enabled: true, actions: [], conditions: [] },
    });
    expect(checkUserRule("room", "!r:x", { actions: [], conditions: [{ kind: "x" }] })).toEqual({
      ok: true,
      value: { kind: "room", rule_id: "!r:x", enabled: true, actions: [] },
    });
  });
});
