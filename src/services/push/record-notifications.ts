/**
 * Runs every local recipient's push rules on each new event and records the notifications (spec:
 * client-server-api "Push Notifications", "Server behaviour": "homeservers process push rules for
 * each of the local users in the room (excluding the sender)").
 *
 * It runs inside event creation, under the room lock, after the auth rules passed; the rows it
 * returns are stored in the same unit of work as the event: "The updated notification count from a
 * new event MUST appear in the same /sync response as the event itself".
 */
import type { PushActionRecord } from "../../ports/store/push.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import { isJsonObject, type JsonObject } from "../../protocol/json.js";
import { CREATE_KEY, type Pdu, POWER_LEVELS_KEY, type RoomEvent } from "../../protocol/pdu.js";
import { notificationLevel, powerLevelsFrom, userLevel } from "../../protocol/power-levels.js";
import { evaluatePushRules, type PushContext, pushOutcome } from "../../protocol/push/evaluate.js";
import type { PushRuleset } from "../../protocol/push/rules.js";
import {
  authStateKey,
  type LockScope,
  type PersistAdditions,
  type PersistHook,
  type PersistingEvent,
} from "../rooms/event-creator.js";
import type { NotifiedRecipient, PushDispatcher } from "./dispatch.js";
import type { PushRules } from "./push-rules.js";

/** Thread of the main timeline (spec: "Threaded read receipts"). */
export const MAIN_THREAD = "main";
/** "implementations are encouraged to do a maximum of 3 hops to find a thread". */
const MAX_THREAD_HOPS = 3;

export class NotificationRecorder implements PersistHook {
  /** Recipients of events recorded but not yet committed, for the dispatcher. */
  private readonly pending = new Map<string, NotifiedRecipient[]>();

  constructor(
    private readonly rooms: RoomRepository,
    private readonly pushRules: PushRules,
    private readonly dispatcher: PushDispatcher,
    private readonly serverName: string,
  ) {}

  async beforePersist(event: PersistingEvent, scope: LockScope): Promise<PersistAdditions | undefined> {
    const { pdu, roomId } = event;
    const room = await this.roomState(event, scope);
    const recipients = room.localJoined.filter((u) => u !== pdu.sender);
    // An invitee is not joined yet but is who `.m.rule.invite_for_me` is for.
    const invitee = pdu.type === "m.room.member" ? pdu.state_key : undefined;
    if (
      invitee &&
      pdu.content.membership === "invite" &&
      this.isLocal(invitee) &&
      invitee !== pdu.sender &&
      !recipients.includes(invitee)
    ) {
      recipients.push(invitee);
    }
    if (recipients.length === 0) return undefined;

    const { rulesets, needsNames, outsiders } = await this.rulesets(room, recipients, scope);
    const senderPowerLevel = userLevel(room.levels, pdu.sender);
    let displayNames: Map<string, string> | undefined;
    if (needsNames) {
      room.displayNames ??= await this.displayNames(roomId, room.localJoined);
      displayNames =
        outsiders.length === 0
          ? room.displayNames
          : new Map([...room.displayNames, ...(await this.displayNames(roomId, outsiders))]);
    }
    const threadId = await this.threadOf(pdu.content);
    const pushEvent = toPushEvent(event.eventId, roomId, pdu);

    const rows: PushActionRecord[] = [];
    const notified: NotifiedRecipient[] = [];
    const levels = room.levels;
    const notificationLevelOf = (key: string) => notificationLevel(levels, key);
    for (const userId of recipients) {
      const ctx: PushContext = {
        userId,
        displayName: displayNames?.get(userId),
        roomMemberCount: room.joinedCount,
        senderPowerLevel,
        notificationLevel: notificationLevelOf,
      };
      const match = evaluatePushRules(rulesets.get(userId) as PushRuleset, pushEvent, ctx);
      const outcome = pushOutcome(match?.actions);
      if (!match || !outcome.notify) continue;
      rows.push({
        userId,
        roomId,
        eventId: event.eventId,
        threadId,
        actions: match.actions,
        highlight: outcome.highlight,
        ts: pdu.origin_server_ts,
      });
      notified.push({ userId, actions: match.actions, tweaks: outcome.tweaks });
    }
    if (notified.length > 0) this.pending.set(event.eventId, notified);
    return { pushActions: rows };
  }

  /** What evaluating an event needs about its room's state, read once and kept with the room's
   * scope (see LockScope: it lasts while no event but plain messages is added to the room). */
  private async roomState(event: PersistingEvent, scope: LockScope): Promise<RoomPushState> {
    const key = `push:${event.roomId}`;
    const known = scope.room.get(key) as RoomPushState | undefined;
    if (known) return known;
    const joined = (await this.rooms.members(event.roomId, "join")).map((m) => m.userId);
    const localJoined = joined.filter((u) => this.isLocal(u));
    // The event creator read these for the auth rules: a message's auth events are the create
    // event, the power levels and the sender's membership.
    const authState = scope.room.get(authStateKey(event.roomId)) as Map<string, RoomEvent> | undefined;
    const [powerLevels, create] =
      authState?.has(CREATE_KEY) && authState.has(POWER_LEVELS_KEY)
        ? [authState.get(POWER_LEVELS_KEY)?.pdu, authState.get(CREATE_KEY)?.pdu]
        : await this.stateEvents(event.roomId, [
            ["m.room.power_levels", ""],
            ["m.room.create", ""],
          ]);
    const state: RoomPushState = {
      joinedCount: joined.length,
      localJoined,
      levels: powerLevelsFrom(powerLevels, create, event.version.authorization),
    };
    scope.room.set(key, state);
    return state;
  }

  /** The recipients' push rules, whether any needs display names, and the recipients who are not
   * joined members (an invitee): the members' rules are read once per holding of the lock (rules
   * change without an event in the room), an invitee's on its own. */
  private async rulesets(room: RoomPushState, recipients: string[], scope: LockScope) {
    const key = "push-rulesets";
    let members = scope.holding.get(key) as MemberRulesets | undefined;
    if (!members) {
      const rulesets =
        room.localJoined.length > 0 ? await this.pushRules.rulesets(room.localJoined) : new Map();
      members = { rulesets, needsNames: needsDisplayNames(rulesets) };
      scope.holding.set(key, members);
    }
    const outsiders = recipients.filter((u) => !members.rulesets.has(u));
    if (outsiders.length === 0) return { ...members, outsiders };
    const theirs = await this.pushRules.rulesets(outsiders);
    return {
      rulesets: new Map([...members.rulesets, ...theirs]),
      needsNames: members.needsNames || needsDisplayNames(theirs),
      outsiders,
    };
  }

  afterPersist(event: PersistingEvent & { streamOrdering: number }): void {
    const notified = this.pending.get(event.eventId);
    if (!notified) return;
    this.pending.delete(event.eventId);
    this.dispatcher.dispatch(
      { eventId: event.eventId, roomId: event.roomId, streamOrdering: event.streamOrdering },
      notified,
    );
  }

  /** Forgets what `beforePersist` kept when storing the event failed. */
  persistFailed(event: PersistingEvent): void {
    this.pending.delete(event.eventId);
  }

  /**
   * The thread an event belongs to: the target of an `m.thread` relation, or — following other
   * relations (reactions, edits) up to 3 hops — the thread of the event it relates to; else the main
   * timeline (spec: "Threaded read receipts"; thread roots are in the main timeline).
   */
  async threadOf(content: JsonObject): Promise<string> {
    let current = content;
    for (let hop = 0; hop < MAX_THREAD_HOPS; hop++) {
      const relatesTo = current["m.relates_to"];
      if (!isJsonObject(relatesTo) || typeof relatesTo.event_id !== "string") return MAIN_THREAD;
      if (relatesTo.rel_type === "m.thread") return relatesTo.event_id;
      if (typeof relatesTo.rel_type !== "string") return MAIN_THREAD;
      const parent = await this.rooms.getEvent(relatesTo.event_id);
      if (!parent) return MAIN_THREAD;
      current = parent.pdu.content;
    }
    return MAIN_THREAD;
  }

  private isLocal(userId: string): boolean {
    return userId.endsWith(`:${this.serverName}`);
  }

  private async stateEvents(roomId: string, keys: Array<[string, string]>): Promise<Array<Pdu | undefined>> {
    const events = await this.rooms.currentState(roomId, keys);
    return keys.map(
      ([type, stateKey]) => events.find((e) => e.pdu.type === type && e.pdu.state_key === stateKey)?.pdu,
    );
  }

  private async displayNames(roomId: string, users: string[]): Promise<Map<string, string>> {
    const members = await this.rooms.currentState(
      roomId,
      users.map((u) => ["m.room.member", u] as [string, string]),
    );
    const names = new Map<string, string>();
    for (const m of members) {
      const name = m.pdu.content.displayname;
      if (typeof name === "string" && m.pdu.state_key) names.set(m.pdu.state_key, name);
    }
    return names;
  }
}

interface MemberRulesets {
  rulesets: Map<string, PushRuleset>;
  needsNames: boolean;
}

interface RoomPushState {
  joinedCount: number;
  /** Joined members of this server, in `members` order. */
  localJoined: string[];
  levels: ReturnType<typeof powerLevelsFrom>;
  /** Display names of `localJoined`, once some ruleset needed them. */
  displayNames?: Map<string, string>;
}

/** The event as push rules see it: its client-visible fields. */
function toPushEvent(eventId: string, roomId: string, pdu: Pdu): JsonObject {
  const event: JsonObject = {
    event_id: eventId,
    room_id: roomId,
    sender: pdu.sender,
    type: pdu.type,
    content: pdu.content,
    origin_server_ts: pdu.origin_server_ts,
  };
  if (typeof pdu.state_key === "string") event.state_key = pdu.state_key;
  return event;
}

/** Display names are loaded only when some enabled rule asks for them. */
function needsDisplayNames(rulesets: Map<string, PushRuleset>): boolean {
  for (const ruleset of rulesets.values()) if (asksForDisplayName(ruleset)) return true;
  return false;
}

/** By ruleset: PushRules hands out the same merged ruleset objects until someone's rules change. */
const asksByRuleset = new WeakMap<PushRuleset, boolean>();

function asksForDisplayName(ruleset: PushRuleset): boolean {
  let asks = asksByRuleset.get(ruleset);
  if (asks === undefined) {
    const asking = (rule: PushRuleset["override"][number]) =>
      rule.enabled && !!rule.conditions?.some((c) => c.kind === "contains_display_name");
    asks = ruleset.override.some(asking) || ruleset.underride.some(asking);
    asksByRuleset.set(ruleset, asks);
  }
  return asks;
}
