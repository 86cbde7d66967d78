/**
 * Unread notification counts and the notification list (spec: client-server-api "Receiving
 * notifications", "Marking notifications as read", "Listing Notifications").
 *
 * A user has read up to the later of their `m.read` and `m.read.private` receipts. An unthreaded
 * receipt covers every thread; a threaded one (`main` or a thread root) only its thread, and only
 * where it is ahead of the unthreaded one.
 */
import type { NotificationCounts, PushActionRepository } from "../../ports/store/push.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import { invalidParam } from "../errors.js";
import { formatClientEvents } from "../rooms/client-event.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { MAIN_THREAD } from "./record-notifications.js";

export interface UnreadCounts {
  highlight_count: number;
  notification_count: number;
}

export interface RoomUnreadCounts {
  unread_notifications: UnreadCounts;
  /** Per thread root, threads with notifications only; present when asked for threads. */
  unread_thread_notifications?: Record<string, UnreadCounts>;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const UNTHREADED = "";

const zero = (): NotificationCounts => ({ notificationCount: 0, highlightCount: 0 });
const render = (c: NotificationCounts): UnreadCounts => ({
  highlight_count: c.highlightCount,
  notification_count: c.notificationCount,
});

/** Without `threaded`, all threads summed; with it, the main timeline's and each thread's own. */
function renderCounts(counts: Map<string, NotificationCounts>, threaded: boolean): RoomUnreadCounts {
  if (!threaded) {
    const total = zero();
    for (const c of counts.values()) {
      total.notificationCount += c.notificationCount;
      total.highlightCount += c.highlightCount;
    }
    return { unread_notifications: render(total) };
  }
  const threads: Record<string, UnreadCounts> = {};
  for (const [threadId, c] of counts) {
    if (threadId !== MAIN_THREAD && c.notificationCount > 0) threads[threadId] = render(c);
  }
  return {
    unread_notifications: render(counts.get(MAIN_THREAD) ?? zero()),
    unread_thread_notifications: threads,
  };
}

export class Notifications {
  constructor(
    private readonly pushActions: PushActionRepository,
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly now: () => number,
  ) {}

  /**
   * A room's unread counts up to the events stream position `upTo` (so they match the timeline of
   * the same /sync). With `threaded`, `unread_notifications` is the main timeline's and each thread
   * has its own (spec: sync.yaml `unread_thread_notifications`); without, all are summed.
   */
  async unreadCounts(
    userId: string,
    roomId: string,
    upTo: number,
    threaded: boolean,
  ): Promise<RoomUnreadCounts> {
    const read = await this.pushActions.readPositions(userId, roomId);
    const after = read.get(UNTHREADED) ?? 0;
    const counts = await this.pushActions.countsByThread(userId, roomId, { after, upTo });
    for (const [threadId, position] of read) {
      if (threadId === UNTHREADED || position <= after || !counts.has(threadId)) continue;
      const own = await this.pushActions.countsByThread(userId, roomId, { after: position, upTo }, threadId);
      counts.set(threadId, own.get(threadId) ?? zero());
    }
    return renderCounts(counts, threaded);
  }

  /** `unreadCounts` of many rooms in two reads (plus one per thread read ahead of the unthreaded
   * receipt, which is rare): what an initial /sync of hundreds of rooms needs. */
  async unreadCountsOfRooms(
    userId: string,
    roomIds: readonly string[],
    upTo: number,
    threaded: boolean,
  ): Promise<Map<string, RoomUnreadCounts>> {
    const out = new Map<string, RoomUnreadCounts>();
    if (roomIds.length === 0) return out;
    const readByRoom = await this.pushActions.readPositionsInRooms(userId, roomIds);
    const after = new Map(roomIds.map((roomId) => [roomId, readByRoom.get(roomId)?.get(UNTHREADED) ?? 0]));
    const countsByRoom = await this.pushActions.countsByThreadInRooms(userId, after, upTo);
    for (const roomId of roomIds) {
      const counts = countsByRoom.get(roomId) ?? new Map<string, NotificationCounts>();
      const unthreaded = after.get(roomId) ?? 0;
      for (const [threadId, position] of readByRoom.get(roomId) ?? []) {
        if (threadId === UNTHREADED || position <= unthreaded || !counts.has(threadId)) continue;
        const own = await this.pushActions.countsByThread(
          userId,
          roomId,
          { after: position, upTo },
          threadId,
        );
        counts.set(threadId, own.get(threadId) ?? zero());
      }
      out.set(roomId, renderCounts(counts, threaded));
    }
    return out;
  }

  /** `GET /notifications`: newest first; `from` is the `next_token` of the previous page. */
  async list(
    userId: string,
    options: { from?: string | undefined; limit?: number | undefined; only?: string | undefined },
  ): Promise<{ notifications: JsonObject[]; next_token?: string }> {
    let before: number | undefined;
    if (options.from !== undefined) {
      if (!/^\d{1,15}$/.test(options.from)) throw invalidParam("from is not a token from /notifications");
      before = Number(options.from);
    }
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    const rows = await this.pushActions.list(userId, {
      before,
      limit,
      onlyHighlight: options.only === "highlight",
    });
    const events = await this.rooms.getEvents(rows.map((r) => r.eventId));
    const formatted = await formatClientEvents(this.rooms, this.versions, events, this.now());
    const byId = new Map(formatted.map((e) => [e.event_id, e]));
    const readByRoom = new Map<string, Map<string, number>>();
    const notifications: JsonObject[] = [];
    for (const row of rows) {
      const event = byId.get(row.eventId);
      if (!event) continue;
      let read = readByRoom.get(row.roomId);
      if (!read) {
        read = await this.pushActions.readPositions(userId, row.roomId);
        readByRoom.set(row.roomId, read);
      }
      const readUpTo = Math.max(read.get(UNTHREADED) ?? 0, read.get(row.threadId) ?? 0);
      // notifications.yaml: the event is a ClientEventWithoutRoomID; the room is beside it.
      const { room_id: _roomId, ...withoutRoomId } = event;
      notifications.push({
        actions: row.actions,
        event: withoutRoomId as unknown as JsonObject,
        read: row.streamOrdering <= readUpTo,
        room_id: row.roomId,
        ts: row.ts,
      });
    }
    const last = rows.at(-1);
    return rows.length === limit && last
      ? { notifications, next_token: String(last.streamOrdering) }
      : { notifications };
  }
}
