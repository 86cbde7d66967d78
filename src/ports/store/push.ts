/**
 * Push notifications (spec: client-server-api "Push Notifications"): each user's own push rules and
 * changes to the server-default ones, their pushers, and the actions the rules chose for each event
 * (what unread counts and `/notifications` are made of).
 */
import type { JsonObject } from "../../protocol/json.js";
import type { PushAction, PushRuleKind, UserPushRule } from "../../protocol/push/rules.js";

export interface StoredPushRules {
  /** The user's own rules, per kind most important first. */
  rules: UserPushRule[];
  /** Changes to server-default rules by rule_id. */
  defaults: Map<string, { enabled?: boolean; actions?: PushAction[] }>;
}

/** Where a created or updated rule goes among the user's rules of its kind: just before (more
 * important than) or after another user rule. `before` wins when both are given. */
export interface RulePlacement {
  before?: string | undefined;
  after?: string | undefined;
}

export const ANCHOR_NOT_FOUND = "anchor_not_found" as const;

/** Every write moves the `push_rules` stream, which /sync follows to send `m.push_rules`. */
export interface PushRuleRepository {
  get(userId: string): Promise<StoredPushRules>;
  getMany(userIds: readonly string[]): Promise<Map<string, StoredPushRules>>;
  /** Creates the rule (enabled, most important of its kind unless placed) or updates it (keeping
   * whether it is enabled, and its place unless placed). ANCHOR_NOT_FOUND when the placement names
   * no rule of the user of that kind; else the stream position. */
  put(
    userId: string,
    rule: UserPushRule,
    placement: RulePlacement,
  ): Promise<number | typeof ANCHOR_NOT_FOUND>;
  /** Undefined when the user has no such rule. */
  delete(userId: string, kind: PushRuleKind, ruleId: string): Promise<number | undefined>;
  /** Changes one of the user's own rules; undefined when there is no such rule. */
  update(
    userId: string,
    kind: PushRuleKind,
    ruleId: string,
    change: { enabled?: boolean; actions?: PushAction[] },
  ): Promise<number | undefined>;
  /** Records a change to a server-default rule (merged with earlier changes). */
  changeDefault(
    userId: string,
    ruleId: string,
    change: { enabled?: boolean; actions?: PushAction[] },
  ): Promise<number>;
  /** The stream position of the user's last change, 0 when none. */
  lastChange(userId: string): Promise<number>;
}

export interface Pusher {
  userId: string;
  kind: string;
  appId: string;
  pushkey: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag?: string | undefined;
  lang: string;
  data: JsonObject;
  createdTs: number;
}

export interface PusherRepository {
  list(userId: string): Promise<Pusher[]>;
  /** Pushers of any of these users (push delivery). */
  forUsers(userIds: readonly string[]): Promise<Pusher[]>;
  /** Creates or replaces the user's pusher with this app ID and pushkey; unless `append`, other
   * users' pushers with the same app ID and pushkey go in the same unit of work (pusher.yaml). */
  set(pusher: Pusher, append: boolean): Promise<void>;
  /** False when there was no such pusher. */
  delete(userId: string, appId: string, pushkey: string): Promise<boolean>;
}

/** What one user's rules decided for one event that notifies them. */
export interface PushActionRecord {
  userId: string;
  roomId: string;
  eventId: string;
  /** The thread root's event ID, or `main` (spec: "Threaded read receipts"). */
  threadId: string;
  actions: PushAction[];
  highlight: boolean;
  ts: number;
}

export interface NotificationCounts {
  notificationCount: number;
  highlightCount: number;
}

export interface PushActionRepository {
  // Written with the event they belong to, in its transaction (`NewEvent.pushActions` of
  // RoomRepository.persistEvents), so an event is never visible without its counts.
  /** Where the user's `m.read` and `m.read.private` receipts in the room point, the later of the
   * two, as event stream positions keyed by thread ID ("" for unthreaded receipts). */
  readPositions(userId: string, roomId: string): Promise<Map<string, number>>;
  /** `readPositions` of many rooms in one read: room ID → thread ID → position (rooms without a
   * receipt are absent). */
  readPositionsInRooms(userId: string, roomIds: readonly string[]): Promise<Map<string, Map<string, number>>>;
  /** Counts per thread of the user's notifications in the room at stream positions in
   * (after, upTo]; only one thread's when `threadId` is given. */
  countsByThread(
    userId: string,
    roomId: string,
    range: { after: number; upTo: number },
    threadId?: string,
  ): Promise<Map<string, NotificationCounts>>;
  /** `countsByThread` of many rooms in one read, each room from its own `after` (exclusive) up to
   * `upTo`: room ID → thread ID → counts (rooms without notifications are absent). */
  countsByThreadInRooms(
    userId: string,
    after: ReadonlyMap<string, number>,
    upTo: number,
  ): Promise<Map<string, Map<string, NotificationCounts>>>;
  /** The user's notifications, newest first, at stream positions before `before` (exclusive). */
  list(
    userId: string,
    options: { before?: number | undefined; limit: number; onlyHighlight: boolean },
  ): Promise<Array<PushActionRecord & { streamOrdering: number }>>;
}
