/**
 * Push rules and rulesets (spec: client-server-api "Push Rules"; data/api/client-server/definitions/
 * push_rule.yaml, push_condition.yaml, push_ruleset.yaml) and how a user's own rules combine with
 * the server-default ones.
 */
import type { JsonObject, JsonPrimitive, JsonValue } from "../json.js";

/** The kinds, in the order they are checked. */
export const PUSH_RULE_KINDS = ["override", "content", "room", "sender", "underride"] as const;
export type PushRuleKind = (typeof PUSH_RULE_KINDS)[number];

export function isPushRuleKind(value: string): value is PushRuleKind {
  return (PUSH_RULE_KINDS as readonly string[]).includes(value);
}

/** One condition as the spec writes it; `kind` says which of the other fields apply. Unknown kinds
 * are kept (and never match). */
export interface PushCondition {
  kind: string;
  key?: string;
  pattern?: string;
  is?: string;
  value?: JsonPrimitive;
  [extra: string]: JsonValue | undefined;
}

/** `"notify"`, or an object such as `{"set_tweak": "sound", "value": "default"}`. */
export type PushAction = string | JsonObject;

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  /** override and underride rules only. */
  conditions?: PushCondition[];
  /** content rules only. */
  pattern?: string;
}

export type PushRuleset = Record<PushRuleKind, PushRule[]>;

/** A user's own rule of one kind, as stored. */
export interface UserPushRule {
  kind: PushRuleKind;
  rule_id: string;
  enabled: boolean;
  actions: PushAction[];
  conditions?: PushCondition[];
  pattern?: string;
}

/** What a user changed of the server-default rules: enabled and/or actions, keyed by rule_id. */
export type DefaultRuleChanges = ReadonlyMap<string, { enabled?: boolean; actions?: PushAction[] }>;

export const MASTER_RULE_ID = ".m.rule.master";

/** Server-default rule IDs start with a dot (spec: "Predefined Rules"). */
export function isServerDefaultRuleId(ruleId: string): boolean {
  return ruleId.startsWith(".");
}

const SOUND_DEFAULT = { set_tweak: "sound", value: "default" };
const HIGHLIGHT = { set_tweak: "highlight" };
const eventMatch = (key: string, pattern: string): PushCondition => ({ kind: "event_match", key, pattern });

/** Options for the server-default rules. */
export interface DefaultRuleOptions {
  /**
   * Also serve the body-matching mention rules that Matrix 1.17 removed (MSC4210):
   * `.m.rule.contains_display_name`, `.m.rule.roomnotif` and `.m.rule.contains_user_name`, with their
   * v1.15 definitions and positions. Off by default, as the current spec says.
   */
  legacyMentionRules?: boolean;
}

/**
 * The server-default ruleset for a user, exactly as client-server-api "Predefined Rules" lists and
 * defines it (Matrix 1.17): overrides, then underrides; there are no default content, room or sender
 * rules.
 */
export function defaultRuleset(userId: string, options: DefaultRuleOptions = {}): PushRuleset {
  const rule = (rule_id: string, conditions: PushCondition[], actions: PushAction[], enabled = true) => ({
    rule_id,
    default: true,
    enabled,
    conditions,
    actions,
  });
  const legacy = options.legacyMentionRules === true;
  const override: PushRule[] = [
    rule(MASTER_RULE_ID, [], [], false),
    rule(".m.rule.suppress_notices", [eventMatch("content.msgtype", "m.notice")], []),
    rule(
      ".m.rule.invite_for_me",
      [
        eventMatch("type", "m.room.member"),
        eventMatch("content.membership", "invite"),
        eventMatch("state_key", userId),
      ],
      ["notify", { ...SOUND_DEFAULT }],
    ),
    rule(".m.rule.member_event", [eventMatch("type", "m.room.member")], []),
    rule(
      ".m.rule.is_user_mention",
      [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: userId }],
      ["notify", { ...SOUND_DEFAULT }, { ...HIGHLIGHT }],
    ),
    ...(legacy
      ? [
          rule(
            ".m.rule.contains_display_name",
            [{ kind: "contains_display_name" }],
            ["notify", { ...SOUND_DEFAULT }, { ...HIGHLIGHT }],
          ),
        ]
      : []),
    rule(
      ".m.rule.is_room_mention",
      [
        { kind: "event_property_is", key: "content.m\\.mentions.room", value: true },
        { kind: "sender_notification_permission", key: "room" },
      ],
      ["notify", { ...HIGHLIGHT }],
    ),
    ...(legacy
      ? [
          rule(
            ".m.rule.roomnotif",
            [eventMatch("content.body", "@room"), { kind: "sender_notification_permission", key: "room" }],
            ["notify", { ...HIGHLIGHT }],
          ),
        ]
      : []),
    rule(
      ".m.rule.tombstone",
      [eventMatch("type", "m.room.tombstone"), eventMatch("state_key", "")],
      ["notify", { ...HIGHLIGHT }],
    ),
    rule(".m.rule.reaction", [eventMatch("type", "m.reaction")], []),
    rule(
      ".m.rule.room.server_acl",
      [eventMatch("type", "m.room.server_acl"), eventMatch("state_key", "")],
      [],
    ),
    rule(
      ".m.rule.suppress_edits",
      [{ kind: "event_property_is", key: "content.m\\.relates_to.rel_type", value: "m.replace" }],
      [],
    ),
  ];
  const content: PushRule[] = legacy
    ? [
        {
          rule_id: ".m.rule.contains_user_name",
          default: true,
          enabled: true,
          pattern: localpartOf(userId),
          actions: ["notify", { ...SOUND_DEFAULT }, { ...HIGHLIGHT }],
        },
      ]
    : [];
  const underride: PushRule[] = [
    rule(
      ".m.rule.call",
      [eventMatch("type", "m.call.invite")],
      ["notify", { set_tweak: "sound", value: "ring" }],
    ),
    rule(
      ".m.rule.encrypted_room_one_to_one",
      [{ kind: "room_member_count", is: "2" }, eventMatch("type", "m.room.encrypted")],
      ["notify", { ...SOUND_DEFAULT }],
    ),
    rule(
      ".m.rule.room_one_to_one",
      [{ kind: "room_member_count", is: "2" }, eventMatch("type", "m.room.message")],
      ["notify", { ...SOUND_DEFAULT }],
    ),
    rule(".m.rule.message", [eventMatch("type", "m.room.message")], ["notify"]),
    rule(".m.rule.encrypted", [eventMatch("type", "m.room.encrypted")], ["notify"]),
  ];
  return { override, content, room: [], sender: [], underride };
}

function localpartOf(userId: string): string {
  const colon = userId.indexOf(":");
  return userId.slice(1, colon === -1 ? undefined : colon);
}

/**
 * The user's whole ruleset: within each kind the user's rules (in their order) come before the
 * server-default ones, which "operate at a lower priority than user-defined rules, except for the
 * `.m.rule.master` rule which has always a higher priority than any other rule" (spec: "Predefined
 * Rules"). The user's enabled/actions changes of default rules are applied.
 */
export function mergeRuleset(
  defaults: PushRuleset,
  userRules: readonly UserPushRule[],
  changes: DefaultRuleChanges,
): PushRuleset {
  const withChanges = (rule: PushRule): PushRule => {
    const change = changes.get(rule.rule_id);
    if (!change) return rule;
    return {
      ...rule,
      enabled: change.enabled ?? rule.enabled,
      actions: change.actions ?? rule.actions,
    };
  };
  const merged = {} as PushRuleset;
  for (const kind of PUSH_RULE_KINDS) {
    const own = userRules.filter((r) => r.kind === kind).map(toPushRule);
    const serverDefaults = defaults[kind].map(withChanges);
    if (kind === "override") {
      const master = serverDefaults.filter((r) => r.rule_id === MASTER_RULE_ID);
      const rest = serverDefaults.filter((r) => r.rule_id !== MASTER_RULE_ID);
      merged[kind] = [...master, ...own, ...rest];
    } else {
      merged[kind] = [...own, ...serverDefaults];
    }
  }
  return merged;
}

function toPushRule(rule: UserPushRule): PushRule {
  const out: PushRule = {
    rule_id: rule.rule_id,
    default: false,
    enabled: rule.enabled,
    actions: rule.actions,
  };
  if (rule.kind === "override" || rule.kind === "underride") out.conditions = rule.conditions ?? [];
  if (rule.kind === "content" && rule.pattern !== undefined) out.pattern = rule.pattern;
  return out;
}

/** Finds a rule of a kind in a ruleset. */
export function findRule(ruleset: PushRuleset, kind: PushRuleKind, ruleId: string): PushRule | undefined {
  return ruleset[kind].find((r) => r.rule_id === ruleId);
}
