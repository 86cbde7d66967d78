/**
 * Evaluating a user's push rules against an event (spec: client-server-api "Push Rules",
 * "Conditions", "Actions"). Pure: the caller loads the room facts the conditions need first.
 */
import { isJsonObject, type JsonObject, type JsonValue } from "../json.js";
import { globMatches } from "./glob.js";
import { propertyAt } from "./property-path.js";
import {
  PUSH_RULE_KINDS,
  type PushAction,
  type PushCondition,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from "./rules.js";

/** What the conditions need to know besides the event, for one user. */
export interface PushContext {
  /** The user whose rules these are. */
  userId: string;
  /** The user's display name in the room (`contains_display_name`), if any. */
  displayName?: string | undefined;
  /** Joined members of the room (`room_member_count`). */
  roomMemberCount: number;
  /** The sender's power level (`sender_notification_permission`). */
  senderPowerLevel: number;
  /** The level `notifications[key]` of the power levels requires (50 for `room` unless set). */
  notificationLevel: (key: string) => number;
}

/** The event fields rules see: the client-visible top-level keys and `content`. */
export type PushEvent = JsonObject;

export interface PushMatch {
  kind: PushRuleKind;
  ruleId: string;
  /** The rule's actions without the historical ones (`dont_notify`, `coalesce`). */
  actions: PushAction[];
}

/** The first enabled rule that matches, checked kind by kind in the spec's order, or undefined. */
export function evaluatePushRules(
  ruleset: PushRuleset,
  event: PushEvent,
  ctx: PushContext,
): PushMatch | undefined {
  for (const kind of PUSH_RULE_KINDS) {
    for (const rule of ruleset[kind]) {
      if (!rule.enabled) continue;
      if (ruleMatches(kind, rule, event, ctx)) {
        return { kind, ruleId: rule.rule_id, actions: withoutHistoricalActions(rule.actions) };
      }
    }
  }
  return undefined;
}

export function ruleMatches(kind: PushRuleKind, rule: PushRule, event: PushEvent, ctx: PushContext): boolean {
  switch (kind) {
    case "override":
    case "underride":
      return (rule.conditions ?? []).every((c) => conditionMatches(c, event, ctx));
    case "content":
      return (
        rule.pattern !== undefined &&
        conditionMatches({ kind: "event_match", key: "content.body", pattern: rule.pattern }, event, ctx)
      );
    case "room":
      return event.room_id === rule.rule_id;
    case "sender":
      return event.sender === rule.rule_id;
  }
}

/** Whether one condition holds. Unrecognised conditions, or ones missing their parameters, never
 * match ("Unrecognised conditions MUST NOT match any events"). */
export function conditionMatches(condition: PushCondition, event: PushEvent, ctx: PushContext): boolean {
  switch (condition.kind) {
    case "event_match": {
      const { key, pattern } = condition;
      if (typeof key !== "string" || typeof pattern !== "string") return false;
      const value = propertyAt(event, key);
      if (typeof value !== "string") return false;
      return globMatches(pattern, value, { wordBoundary: key === "content.body" });
    }
    case "event_property_is": {
      const { key, value } = condition;
      if (typeof key !== "string" || !isMatchableValue(value)) return false;
      const actual = propertyAt(event, key);
      return isMatchableValue(actual) && actual === value;
    }
    case "event_property_contains": {
      const { key, value } = condition;
      if (typeof key !== "string" || !isMatchableValue(value)) return false;
      const actual = propertyAt(event, key);
      return Array.isArray(actual) && actual.some((item) => isMatchableValue(item) && item === value);
    }
    case "contains_display_name": {
      const body = propertyAt(event, "content.body");
      const name = ctx.displayName;
      if (typeof body !== "string" || !name) return false;
      return globMatches(name, body, { wordBoundary: true, literal: true });
    }
    case "room_member_count": {
      const is = condition.is;
      return typeof is === "string" && memberCountMatches(is, ctx.roomMemberCount);
    }
    case "sender_notification_permission": {
      const key = condition.key;
      if (typeof key !== "string") return false;
      return ctx.senderPowerLevel >= ctx.notificationLevel(key);
    }
    default:
      return false;
  }
}

/** Strings, integers in the canonical JSON range, booleans and null: the values `event_property_is`
 * and `event_property_contains` compare (compound values and other numbers never match). */
function isMatchableValue(value: JsonValue | undefined): value is string | number | boolean | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  return typeof value === "number" && Number.isSafeInteger(value);
}

const MEMBER_COUNT = /^(==|<=|>=|<|>)?([0-9]+)$/;

/** `is`: a decimal integer optionally prefixed by `==`, `<`, `>`, `>=` or `<=` (default `==`). */
export function memberCountMatches(is: string, count: number): boolean {
  const match = MEMBER_COUNT.exec(is);
  if (!match) return false;
  const limit = Number(match[2]);
  switch (match[1] ?? "==") {
    case "==":
      return count === limit;
    case "<":
      return count < limit;
    case ">":
      return count > limit;
    case "<=":
      return count <= limit;
    default:
      return count >= limit;
  }
}

/** "Clients and homeservers MUST ignore these actions, for instance, by stripping them" (spec:
 * "Historical Actions"). */
export function withoutHistoricalActions(actions: readonly PushAction[]): PushAction[] {
  return actions.filter((a) => a !== "dont_notify" && a !== "coalesce");
}

/** What a list of actions means for counting and delivery. */
export interface PushOutcome {
  notify: boolean;
  /** The `highlight` tweak: true when given without a value, false when absent. */
  highlight: boolean;
  /** Every tweak set (`sound`, `highlight`, and others passed on to the push gateway). */
  tweaks: JsonObject;
}

export function pushOutcome(actions: readonly PushAction[] | undefined): PushOutcome {
  const tweaks: JsonObject = {};
  let notify = false;
  for (const action of actions ?? []) {
    if (action === "notify") notify = true;
    else if (isJsonObject(action) && typeof action.set_tweak === "string") {
      const value = action.value;
      if (action.set_tweak === "highlight") tweaks.highlight = value === undefined ? true : value === true;
      else if (value !== undefined) tweaks[action.set_tweak] = value;
    }
  }
  return { notify, highlight: tweaks.highlight === true, tweaks };
}
