/**
 * Push in /sync: the `m.push_rules` global account data event whenever the user's push rules changed
 * (spec: client-server-api "Push Rules: Events"; on an initial sync always, so clients have the
 * defaults too), and the unread notification counts of every joined room in the response (spec:
 * "Receiving notifications"). It runs after the other sources, so rooms that appear only for
 * receipts or account data (a read receipt resetting a count) get their counts too.
 */
import type { StreamChange } from "../../ports/notifier.js";
import type { PushRuleRepository } from "../../ports/store/push.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Notifications } from "../push/notifications.js";
import type { PushRules } from "../push/push-rules.js";
import { matchesFilter } from "../rooms/room-reader.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

/** The token key of the rooms source, whose position the counts are taken at. */
const EVENTS_KEY = "e";

export class PushSyncSource implements SyncSource {
  readonly key = "p";
  readonly stream = "push_rules";

  constructor(
    private readonly rules: PushRuleRepository,
    private readonly pushRules: PushRules,
    private readonly notifications: Notifications,
    private readonly streams: StreamRepository,
  ) {}

  current(): Promise<number> {
    return this.streams.current(this.stream);
  }

  concerns(change: StreamChange, userId: string): boolean {
    return !!change.userIds?.includes(userId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const userId = request.requester.userId;
    const since = request.since?.[this.key];
    // No push rule of anyone changed after the token when the stream has not moved: no read.
    const now = request.now[this.key] as number;
    if (since === undefined || (since < now && (await this.rules.lastChange(userId)) > since)) {
      // A change after `now` is sent now and again next time: harmless, the content is the whole ruleset.
      const global = (await this.pushRules.ruleset(userId)) as unknown as JsonObject;
      const event = { type: "m.push_rules", content: { global } };
      if (matchesFilter({ type: event.type, sender: userId }, request.filter.account_data)) {
        response.account_data.events.push(event);
      }
    }
    const upTo = request.now[EVENTS_KEY] ?? 0;
    const threaded = request.filter.room?.timeline?.unread_thread_notifications === true;
    const rooms = Object.entries(response.rooms.join);
    const counts = await this.notifications.unreadCountsOfRooms(
      userId,
      rooms.map(([roomId]) => roomId),
      upTo,
      threaded,
    );
    for (const [roomId, room] of rooms) Object.assign(room, counts.get(roomId));
  }
}
