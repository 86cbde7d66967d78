/**
 * The `rooms` section of /sync (spec: client-server-api "Syncing"): joined rooms with timeline,
 * state, summary; invites with stripped state; rooms left or banned from; knocks.
 */
import type { Clock } from "../../ports/clock.js";
import type { StreamChange } from "../../ports/notifier.js";
import type { MembershipEntry, RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import { formatWithAggregations, viewerOf } from "../rooms/bundled-aggregations.js";
import { formatClientEvents } from "../rooms/client-event.js";
import { matchesFilter, streamToken } from "../rooms/room-reader.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { JoinedRooms, type JoinedWork } from "./joined-rooms.js";
import { lazyMembers, readTimeline, type Timeline } from "./room-timeline.js";
import type { JoinedRoom, StrippedStateEvent, SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

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
  private readonly joined: JoinedRooms;
  readonly key = "e";
  readonly stream = "events";

  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly clock: Clock,
    private readonly streams: StreamRepository,
  ) {
    this.joined = new JoinedRooms(rooms, versions, clock);
  }

  current(): Promise<number> {
    // Through the stream repository, which reads every stream of a sync in one statement.
    return this.streams.current("events");
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
    const joinedAtSince =
      since === undefined ? new Set<string>() : await this.joinedAt(userId, since, memberships);

    const joinedWork: JoinedWork[] = [];
    for (const m of memberships) {
      const fresh = since === undefined || (m.streamOrdering > since && !joinedAtSince.has(m.roomId));
      switch (m.membership) {
        case "join":
          if (fresh) request.newlyJoinedRoomIds.add(m.roomId);
          if (fresh || request.fullState || changedRooms?.has(m.roomId)) {
            joinedWork.push({
              roomId: m.roomId,
              since: fresh ? undefined : since,
              joinedAt: m.streamOrdering,
            });
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
    if (joinedWork.length > 0) await this.joined.collect(request, response, joinedWork, now);
  }

  /**
   * Rooms whose member event changed after `since` while the user was already joined at `since`: a
   * join that follows a join (a display name or avatar change) is not a new join, and the room is
   * synced incrementally. One read, and only when such a member event exists.
   */
  private async joinedAt(userId: string, since: number, memberships: MembershipEntry[]) {
    const joined = new Set<string>();
    const candidates = memberships.filter((m) => m.membership === "join" && m.streamOrdering > since);
    if (candidates.length === 0) return joined;
    const history = await this.rooms.visibilityHistoryOfRooms(
      candidates.map((m) => m.roomId),
      userId,
    );
    const before = new Map<string, StoredEvent>();
    for (const e of history) {
      if (e.pdu.type === "m.room.member" && e.streamOrdering <= since) before.set(e.roomId, e);
    }
    for (const [roomId, e] of before) if (e.pdu.content.membership === "join") joined.add(roomId);
    return joined;
  }

  private async left(
    request: SyncRequest,
    response: SyncResponse,
    m: MembershipEntry,
    since: number | undefined,
  ) {
    const timeline = await readTimeline(this.rooms, request, m.roomId, since, m.streamOrdering);
    const room: JoinedRoom = {};
    await this.fill(request, room, m.roomId, timeline, since, m.streamOrdering);
    response.rooms.leave[m.roomId] = room;
  }

  /** Timeline and state of one room entry. */
  private async fill(
    request: SyncRequest,
    room: JoinedRoom,
    roomId: string,
    { events, limited, ctx }: Timeline,
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
    state = lazyMembers(
      state.filter((e) => matchesFilter(e.pdu, stateFilter)),
      events,
      request,
    );
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
