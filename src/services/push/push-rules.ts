/**
 * Push rules API (spec: client-server-api "Push Rules: API", data/api/client-server/pushrules.yaml):
 * the user's ruleset is the server-default rules merged with their own rules and their changes to
 * the defaults. Every change moves the `push_rules` stream, so /sync sends the new `m.push_rules`.
 */
import type { Notifier } from "../../ports/notifier.js";
import {
  ANCHOR_NOT_FOUND,
  type PushRuleRepository,
  type RulePlacement,
  type StoredPushRules,
} from "../../ports/store/push.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import {
  type DefaultRuleOptions,
  defaultRuleset,
  findRule,
  isPushRuleKind,
  isServerDefaultRuleId,
  mergeRuleset,
  type PushAction,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from "../../protocol/push/rules.js";
import { checkActions, checkUserRule } from "../../protocol/push/validate.js";
import { invalidParam, MatrixError, notFound } from "../errors.js";

const ruleNotFound = () => notFound("The push rule was not found.");

/** Merged rulesets kept for event evaluation; past this many users the cache starts over. */
const MAX_CACHED_RULESETS = 50_000;

export class PushRules {
  /** Every event is evaluated against the rulesets of all the room's local members: merged
   * rulesets are kept, valid while the `push_rules` stream has not moved (any process's change to
   * anyone's rules moves it, so the check also holds with several processes on one database). */
  private readonly cache = new Map<string, PushRuleset>();
  private cachedAt = -1;

  constructor(
    private readonly rules: PushRuleRepository,
    private readonly notifier: Notifier,
    private readonly streams: StreamRepository,
    private readonly options: DefaultRuleOptions = {},
  ) {}

  /** The user's whole ruleset (`GET /pushrules/`, the `m.push_rules` account data). */
  async ruleset(userId: string): Promise<PushRuleset> {
    return this.merge(userId, await this.rules.get(userId));
  }

  /** Rulesets of many users at once (evaluating an event for a room's members). */
  async rulesets(userIds: readonly string[]): Promise<Map<string, PushRuleset>> {
    const position = await this.streams.current("push_rules");
    if (position !== this.cachedAt || this.cache.size > MAX_CACHED_RULESETS) {
      this.cache.clear();
      this.cachedAt = position;
    }
    const missing = userIds.filter((u) => !this.cache.has(u));
    if (missing.length > 0) {
      const stored = await this.rules.getMany(missing);
      for (const u of missing) {
        this.cache.set(u, this.merge(u, stored.get(u) ?? { rules: [], defaults: new Map() }));
      }
    }
    return new Map(userIds.map((u) => [u, this.cache.get(u) as PushRuleset]));
  }

  async getRule(userId: string, kind: string, ruleId: string): Promise<PushRule> {
    const rule = findRule(await this.ruleset(userId), parseKind(kind), ruleId);
    if (!rule) throw ruleNotFound();
    return rule;
  }

  /** `PUT /pushrules/global/{kind}/{ruleId}`: creates or updates a user-defined rule. */
  async putRule(
    userId: string,
    kind: string,
    ruleId: string,
    body: Record<string, unknown>,
    placement: RulePlacement,
  ): Promise<void> {
    const checked = checkUserRule(parseKind(kind), ruleId, body);
    if (!checked.ok) throw invalidParam(checked.error);
    const position = await this.rules.put(userId, checked.value, placement);
    if (position === ANCHOR_NOT_FOUND) {
      // pushrules.yaml's own example: 400 M_UNKNOWN "before/after rule not found: someRuleId".
      throw new MatrixError(
        400,
        "M_UNKNOWN",
        `before/after rule not found: ${placement.before ?? placement.after}`,
      );
    }
    this.changed(userId, position);
  }

  /** Server-default rules cannot be deleted: for them, as for unknown rules, 404 (the only error
   * pushrules.yaml gives this endpoint). */
  async deleteRule(userId: string, kind: string, ruleId: string): Promise<void> {
    const parsed = parseKind(kind);
    if (isServerDefaultRuleId(ruleId)) throw ruleNotFound();
    const position = await this.rules.delete(userId, parsed, ruleId);
    if (position === undefined) throw ruleNotFound();
    this.changed(userId, position);
  }

  async setEnabled(userId: string, kind: string, ruleId: string, enabled: boolean): Promise<void> {
    await this.change(userId, kind, ruleId, { enabled });
  }

  async setActions(userId: string, kind: string, ruleId: string, actions: unknown): Promise<void> {
    const checked = checkActions(actions);
    if (!checked.ok) throw invalidParam(checked.error);
    await this.change(userId, kind, ruleId, { actions: checked.value });
  }

  private async change(
    userId: string,
    kind: string,
    ruleId: string,
    change: { enabled?: boolean; actions?: PushAction[] },
  ): Promise<void> {
    const parsed = parseKind(kind);
    let position: number | undefined;
    if (isServerDefaultRuleId(ruleId)) {
      if (!findRule(defaultRuleset(userId, this.options), parsed, ruleId)) throw ruleNotFound();
      position = await this.rules.changeDefault(userId, ruleId, change);
    } else {
      position = await this.rules.update(userId, parsed, ruleId, change);
    }
    if (position === undefined) throw ruleNotFound();
    this.changed(userId, position);
  }

  private merge(userId: string, stored: StoredPushRules): PushRuleset {
    return mergeRuleset(defaultRuleset(userId, this.options), stored.rules, stored.defaults);
  }

  private changed(userId: string, position: number): void {
    this.notifier.notify({ stream: "push_rules", position, userIds: [userId] });
  }
}

function parseKind(kind: string): PushRuleKind {
  if (!isPushRuleKind(kind)) {
    throw invalidParam(`Unknown push rule kind ${kind}: one of override, content, room, sender, underride`);
  }
  return kind;
}
