/**
 * Checks a user-defined push rule sent to `PUT /pushrules/global/{kind}/{ruleId}` (spec:
 * data/api/client-server/pushrules.yaml) and turns it into the stored form. Returns the problem as
 * text for the caller to report as 400.
 */
import { isJsonObject, type JsonValue } from "../json.js";
import {
  isServerDefaultRuleId,
  type PushAction,
  type PushCondition,
  type PushRuleKind,
  type UserPushRule,
} from "./rules.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** `rule_id`: not starting with a dot (reserved for server-default rules), without `/` or `\`; a room
 * rule is named by its room ID, a sender rule by its user ID. */
export function checkRuleId(kind: PushRuleKind, ruleId: string): string | undefined {
  if (ruleId === "") return "rule_id must not be empty";
  if (isServerDefaultRuleId(ruleId)) return "rule_id must not start with '.': those are server-default rules";
  if (ruleId.includes("/") || ruleId.includes("\\")) return "rule_id must not contain '/' or '\\'";
  if (kind === "room" && !ruleId.startsWith("!")) return "rule_id of a room rule must be a room ID";
  if (kind === "sender" && !ruleId.startsWith("@")) return "rule_id of a sender rule must be a user ID";
  return undefined;
}

/** Actions: `notify`, the historical `dont_notify`/`coalesce`, or `{set_tweak, value?}` objects. */
export function checkActions(actions: unknown): Checked<PushAction[]> {
  if (!Array.isArray(actions)) return fail("actions must be an array");
  for (const action of actions) {
    if (action === "notify" || action === "dont_notify" || action === "coalesce") continue;
    if (isJsonObject(action) && typeof action.set_tweak === "string") continue;
    return fail(`actions: unrecognised action ${JSON.stringify(action)}`);
  }
  return { ok: true, value: actions as PushAction[] };
}

const isPrimitive = (v: unknown) =>
  v === null ||
  typeof v === "string" ||
  typeof v === "boolean" ||
  (typeof v === "number" && Number.isSafeInteger(v));

/** Conditions: objects with a string `kind` and, for the kinds the spec defines, their parameters.
 * Unknown kinds are accepted (they never match). */
export function checkConditions(conditions: unknown): Checked<PushCondition[]> {
  if (!Array.isArray(conditions)) return fail("conditions must be an array");
  for (const [i, c] of conditions.entries()) {
    if (!isJsonObject(c) || typeof c.kind !== "string") return fail(`conditions[${i}].kind must be a string`);
    const needs = (field: string, ok: (v: JsonValue | undefined) => boolean, what: string) =>
      ok(c[field]) ? undefined : `conditions[${i}].${field} must be ${what} for ${c.kind}`;
    const isString = (v: JsonValue | undefined) => typeof v === "string";
    let problem: string | undefined;
    switch (c.kind) {
      case "event_match":
        problem = needs("key", isString, "a string") ?? needs("pattern", isString, "a string");
        break;
      case "event_property_is":
      case "event_property_contains":
        problem =
          needs("key", isString, "a string") ??
          needs("value", isPrimitive, "a string, integer, boolean or null");
        break;
      case "room_member_count":
        problem = needs(
          "is",
          (v) => typeof v === "string" && /^(==|<=|>=|<|>)?[0-9]+$/.test(v),
          "like '>=10'",
        );
        break;
      case "sender_notification_permission":
        problem = needs("key", isString, "a string");
        break;
    }
    if (problem) return fail(problem);
  }
  return { ok: true, value: conditions as PushCondition[] };
}

/** The body of a rule PUT: `actions` always; `conditions` for override/underride (none: always
 * matches); `pattern` for content rules. New rules are enabled. */
export function checkUserRule(
  kind: PushRuleKind,
  ruleId: string,
  body: Record<string, unknown>,
): Checked<UserPushRule> {
  const idProblem = checkRuleId(kind, ruleId);
  if (idProblem) return fail(idProblem);
  const actions = checkActions(body.actions);
  if (!actions.ok) return actions;
  const rule: UserPushRule = { kind, rule_id: ruleId, enabled: true, actions: actions.value };
  if (kind === "override" || kind === "underride") {
    const conditions = checkConditions(body.conditions ?? []);
    if (!conditions.ok) return conditions;
    rule.conditions = conditions.value;
  }
  if (kind === "content") {
    if (typeof body.pattern !== "string") return fail("pattern must be a string for content rules");
    rule.pattern = body.pattern;
  }
  return { ok: true, value: rule };
}
