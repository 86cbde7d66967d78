/**
 * The `rooms` section of /sync (spec: client-server-api "Syncing"): joined rooms with timeline,
 * state, summary; invites with stripped state; rooms left or banned from; knocks.
 */
import type { Clock } from "../../ports/clock.js";
import type { StreamChange } from "../../ports/notifier.js";
import type { MembershipEntry, RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { RoomEventFilter } from "../filters/filter-schema.js";
import { formatWithAggregations, viewerOf } from "../rooms/bundled-aggregations.js";
import { formatClientEvents } from "../rooms/client-event.js";
import { matchesFilter, streamToken } from "../rooms/room-reader.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { canSeeEvent, loadVisibilityContext, type VisibilityContext } from "../rooms/visibility.js";
import { type JoinedRoom, joinedRoom, type StrippedStateEvent, type SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

const DEFAULT_TIMELINE_LIMIT = 10;
const MAX_TIMELINE_LIMIT = 100;

/** State events shown with an invite or knock (spec: "Stripped state"). */
const STRIPPED_STATE_TYPES = [
  "m.room.create",
  "m.room.join_rules",
  "m.room.name",
  "m.room.avatar",
  "m.room.canonical_alias",
  "m.room.encryption",
  "m.room.topic",
];

export class RoomsSyncSource implements SyncSource {
  readonly key = "e";
  readonly stream = "events";

  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly clock: Clock,
  ) {}

  current(): Promise<number> {
    return this.rooms.maxStreamOrdering();
  }

  concerns(change: StreamChange, userId: string, joinedRoomIds: ReadonlySet<string>): boolean {
    return (
      (change.roomId !== undefined && joinedRoomIds.has(change.roomId)) || !!change.userIds?.includes(userId)
    );
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const userId = request.requester.userId;
    const since = request.since?.[this.key];
    const now = request.now[this.key] as number;
    const roomFilter = request.filter.room ?? {};
    const memberships = (await this.rooms.membershipsOf(userId)).filter(
      (m) =>
        m.streamOrdering <= now &&
        (!roomFilter.rooms || roomFilter.rooms.includes(m.roomId)) &&
        !roomFilter.not_rooms?.includes(m.roomId),
    );
    for (const m of memberships) if (m.membership === "join") request.joinedRoomIds.add(m.roomId);
    const changedRooms =
      since === undefined ? undefined : new Set(await this.rooms.roomsWithEventsBetween(since, now));

    for (const m of memberships) {
      const fresh = since === undefined || m.streamOrdering > since;
      switch (m.membership) {
        case "join":
          if (fresh) request.newlyJoinedRoomIds.add(m.roomId);
          if (fresh || request.fullState || changedRooms?.has(m.roomId)) {
            await this.joined(request, response, m, fresh ? undefined : since, now);
          }
          break;
        case "invite":
          if (fresh) response.rooms.invite[m.roomId] = { invite_state: { events: await this.stripped(m) } };
          break;
        case "knock":
          if (fresh) response.rooms.knock[m.roomId] = { knock_state: { events: await this.stripped(m) } };
          break;
        case "leave":
        case "ban":
          // Rooms left before the first sync are only shown with include_leave.
          if ((since !== undefined && fresh) || (since === undefined && roomFilter.include_leave)) {
            await this.left(request, response, m, since);
          }
          break;
      }
    }
  }

  private timelineLimit(filter: RoomEventFilter | undefined): number {
    return Math.min(filter?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT);
  }

  /** Timeline events in (since, upTo], newest `limit` the user may see, oldest first. */
  private async timeline(request: SyncRequest, roomId: string, since: number | undefined, upTo: number) {
    const filter = request.filter.room?.timeline;
    const limit = this.timelineLimit(filter);
    const userId = request.requester.userId;
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    const picked: StoredEvent[] = [];
    let cursor = upTo + 1;
    let limited = false;
    for (;;) {
      const batch = await this.rooms.timeline(roomId, {
        from: cursor,
        to: since,
        direction: "b",
        limit: limit + 1,
      });
      for (const e of batch) {
        cursor = e.streamOrdering;
        if (!canSeeEvent(ctx, userId, e) || !matchesFilter(e.pdu, filter)) continue;
        if (picked.length === limit) {
          limited = true;
          break;
        }
        picked.push(e);
      }
      if (limited || batch.length < limit + 1) break;
    }
    picked.reverse();
    return { events: picked, limited, ctx };
  }

  private async joined(
    request: SyncRequest,
    response: SyncResponse,
    m: MembershipEntry,
    since: number | undefined,
    now: number,
  ): Promise<void> {
    const timeline = await this.timeline(request, m.roomId, since, now);
    const room = joinedRoom(response, m.roomId);
    await this.fill(request, room, m.roomId, timeline, since, now);
    room.summary = await this.summary(m.roomId, request.requester.userId);
    room.unread_notifications ??= { highlight_count: 0, notification_count: 0 };
  }

  private async left(
    request: SyncRequest,
    response: SyncResponse,
    m: MembershipEntry,
    since: number | undefined,
  ) {
    const timeline = await this.timeline(request, m.roomId, since, m.streamOrdering);
    const room: JoinedRoom = {};
    await this.fill(request, room, m.roomId, timeline, since, m.streamOrdering);
    response.rooms.leave[m.roomId] = room;
  }

  /** Timeline and state of one room entry. */
  private async fill(
    request: SyncRequest,
    room: JoinedRoom,
    roomId: string,
    { events, limited, ctx }: { events: StoredEvent[]; limited: boolean; ctx: VisibilityContext },
    since: number | undefined,
    upTo: number,
  ): Promise<void> {
    const first = events[0];
    const timelineStart = first ? first.streamOrdering - 1 : upTo;
    const stateFilter = request.filter.room?.state;
    let state: StoredEvent[] = [];
    if (since === undefined || request.fullState) {
      state = await this.rooms.stateAt(roomId, timelineStart);
    } else if (limited) {
      // State that changed in the gap between the last sync and the timeline.
      state = (await this.rooms.stateAt(roomId, timelineStart)).filter((e) => e.streamOrdering > since);
    }
    state = state.filter((e) => matchesFilter(e.pdu, stateFilter));
    if (stateFilter?.lazy_load_members) {
      const needed = new Set(events.map((e) => e.pdu.sender));
      needed.add(request.requester.userId);
      state = state.filter((e) => e.pdu.type !== "m.room.member" || needed.has(e.pdu.state_key ?? ""));
    }
    const now = this.clock.now();
    room.timeline = {
      // Timeline events carry their bundled edits, threads and references, as on /messages.
      events: await formatWithAggregations(
        this.rooms,
        this.versions,
        now,
        events,
        viewerOf(ctx, request.requester.userId),
      ),
      limited,
      prev_batch: streamToken(first ? first.streamOrdering : upTo + 1),
    };
    if (request.useStateAfter) {
      const after =
        since === undefined || request.fullState
          ? await this.rooms.stateAt(roomId, upTo)
          : (await this.rooms.stateAt(roomId, upTo)).filter((e) => e.streamOrdering > since);
      room["org.matrix.msc4222.state_after"] = {
        events: await formatClientEvents(
          this.rooms,
          this.versions,
          after.filter((e) => matchesFilter(e.pdu, stateFilter)),
          now,
        ),
      };
    } else {
      room.state = { events: await formatClientEvents(this.rooms, this.versions, state, now) };
    }
  }

  /** Heroes and member counts (spec: "m.heroes", "m.joined_member_count", "m.invited_member_count"). */
  private async summary(roomId: string, userId: string) {
    const members = await this.rooms.members(roomId);
    const joined = members.filter((m) => m.membership === "join");
    const invited = members.filter((m) => m.membership === "invite");
    const heroes = [...joined, ...invited]
      .map((m) => m.userId)
      .filter((u) => u !== userId)
      .sort()
      .slice(0, 5);
    return {
      "m.heroes": heroes,
      "m.joined_member_count": joined.length,
      "m.invited_member_count": invited.length,
    };
  }

  private async stripped(m: MembershipEntry): Promise<StrippedStateEvent[]> {
    const state = await this.rooms.currentState(
      m.roomId,
      STRIPPED_STATE_TYPES.map((type) => [type, ""] as [string, string]),
    );
    const own = await this.rooms.getEvent(m.eventId);
    return [...state, ...(own ? [own] : [])].map((e) => ({
      type: e.pdu.type,
      state_key: e.pdu.state_key ?? "",
      content: e.pdu.content,
      sender: e.pdu.sender,
    }));
  }
}
