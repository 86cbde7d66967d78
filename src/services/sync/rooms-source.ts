/**
 * The `rooms` section of /sync (spec: client-server-api "Syncing"): joined rooms with timeline,
 * state, summary; invites with stripped state; rooms left or banned from; knocks.
 */
import type { Clock } from "../../ports/clock.js";
import type { StreamChange } from "../../ports/notifier.js";
import type { MembershipEntry, RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import type { RoomEventFilter } from "../filters/filter-schema.js";
import { formatWithAggregations, viewerOf } from "../rooms/bundled-aggregations.js";
import { type ClientEvent, formatClientEvents } from "../rooms/client-event.js";
import { matchesFilter, streamToken } from "../rooms/room-reader.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import {
  canSeeEvent,
  loadVisibilityContext,
  type VisibilityContext,
  visibilityContextFrom,
} from "../rooms/visibility.js";
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
    private readonly streams: StreamRepository,
  ) {}

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
            joinedWork.push({ roomId: m.roomId, since: fresh ? undefined : since });
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
    if (joinedWork.length > 0) await this.joinedRooms(request, response, joinedWork, now);
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

  /**
   * Joined rooms, read in a handful of statements for all rooms together (an initial sync of 500
   * rooms is not 500 × N round trips): visibility histories, the newest events of each room,
   * current state, and memberships for the summaries.
   */
  private async joinedRooms(request: SyncRequest, response: SyncResponse, work: JoinedWork[], now: number) {
    const userId = request.requester.userId;
    const timelineFilter = request.filter.room?.timeline;
    const limit = this.timelineLimit(timelineFilter);
    const roomIds = work.map((w) => w.roomId);
    const fresh = work.filter((w) => w.since === undefined).map((w) => w.roomId);
    const incremental = work.filter((w) => w.since !== undefined).map((w) => w.roomId);
    const since = work.find((w) => w.since !== undefined)?.since;
    const [history, memberships, recentFresh, recentIncremental] = await Promise.all([
      this.rooms.visibilityHistoryOfRooms(roomIds, userId),
      this.rooms.membershipsInRooms(roomIds),
      fresh.length ? this.rooms.recentEventsInRooms(fresh, { upTo: now, perRoom: limit + 1 }) : [],
      incremental.length
        ? this.rooms.recentEventsInRooms(incremental, { after: since, upTo: now, perRoom: limit + 1 })
        : [],
    ]);
    const historyByRoom = groupByRoom(history);
    const recentByRoom = groupByRoom([...recentFresh, ...recentIncremental]);

    const timelines = new Map<string, Timeline>();
    for (const w of work) {
      const ctx = visibilityContextFrom(historyByRoom.get(w.roomId) ?? []);
      const fetched = recentByRoom.get(w.roomId) ?? [];
      const wanted = fetched.filter(
        (e) => canSeeEvent(ctx, userId, e) && matchesFilter(e.pdu, timelineFilter),
      );
      if (fetched.length > limit && wanted.length <= limit) {
        // Some of the newest events were hidden or filtered out: page further back for this room.
        timelines.set(w.roomId, await this.timeline(request, w.roomId, w.since, now));
      } else {
        timelines.set(w.roomId, { events: wanted.slice(-limit), limited: wanted.length > limit, ctx });
      }
    }

    const needState = work.filter(
      (w) =>
        w.since === undefined ||
        request.fullState ||
        timelines.get(w.roomId)?.limited ||
        request.useStateAfter,
    );
    const stateByRoom = groupByRoom(await this.rooms.currentStateOfRooms(needState.map((w) => w.roomId)));
    const stateBefore = await this.stateBeforeTimelines(needState, timelines, stateByRoom, now);

    const stateFilter = request.filter.room?.state;
    const membersByRoom = new Map<string, MembershipEntry[]>();
    for (const m of memberships) membersByRoom.set(m.roomId, [...(membersByRoom.get(m.roomId) ?? []), m]);
    const roomState = new Map<string, StoredEvent[]>();
    for (const w of work) {
      const timeline = timelines.get(w.roomId) as Timeline;
      const room = joinedRoom(response, w.roomId);
      const first = timeline.events[0];
      room.timeline = {
        events: [],
        limited: timeline.limited,
        prev_batch: streamToken(first ? first.streamOrdering : now + 1),
      };
      // After the first sync of a room, only state that changed since the client's position.
      const sinceClient = (events: StoredEvent[]) =>
        w.since === undefined || request.fullState
          ? events
          : events.filter((e) => e.streamOrdering > (w.since as number));
      let state: StoredEvent[];
      if (request.useStateAfter) {
        state = sinceClient((stateByRoom.get(w.roomId) ?? []).filter((e) => e.streamOrdering <= now));
      } else if (w.since === undefined || request.fullState || timeline.limited) {
        state = sinceClient(stateBefore.get(w.roomId) ?? []);
      } else {
        state = [];
      }
      roomState.set(
        w.roomId,
        this.lazy(
          state.filter((e) => matchesFilter(e.pdu, stateFilter)),
          timeline.events,
          request,
        ),
      );
      room.summary = summaryOf(membersByRoom.get(w.roomId) ?? [], userId);
      room.unread_notifications ??= { highlight_count: 0, notification_count: 0 };
    }
    await this.formatJoined(response, work, timelines, roomState, request.useStateAfter, userId);
  }

  /** Lazy-loading members: only the member events of the timeline's senders (and the user). */
  private lazy(state: StoredEvent[], timeline: StoredEvent[], request: SyncRequest): StoredEvent[] {
    if (!request.filter.room?.state?.lazy_load_members) return state;
    const needed = new Set(timeline.map((e) => e.pdu.sender));
    needed.add(request.requester.userId);
    return state.filter((e) => e.pdu.type !== "m.room.member" || needed.has(e.pdu.state_key ?? ""));
  }

  /**
   * The state before each timeline's first event, from current state: every slot whose event is
   * newer than that point is walked back along `replaces_state` (history is linear per slot).
   */
  private async stateBeforeTimelines(
    work: JoinedWork[],
    timelines: Map<string, Timeline>,
    currentByRoom: Map<string, StoredEvent[]>,
    now: number,
  ): Promise<Map<string, StoredEvent[]>> {
    const slots = new Map<string, Map<string, StoredEvent>>();
    const startOf = new Map<string, number>();
    for (const w of work) {
      const first = timelines.get(w.roomId)?.events[0];
      startOf.set(w.roomId, first ? first.streamOrdering - 1 : now);
      const bySlot = new Map<string, StoredEvent>();
      for (const e of currentByRoom.get(w.roomId) ?? [])
        bySlot.set(`${e.pdu.type}\u0000${e.pdu.state_key}`, e);
      slots.set(w.roomId, bySlot);
    }
    for (;;) {
      const pending: Array<{ roomId: string; slot: string; replaces: string | null }> = [];
      for (const [roomId, bySlot] of slots) {
        const start = startOf.get(roomId) as number;
        for (const [slot, e] of bySlot) {
          if (e.streamOrdering > start) pending.push({ roomId, slot, replaces: e.replacesState });
        }
      }
      if (pending.length === 0) break;
      const older = new Map(
        (await this.rooms.getEvents(pending.flatMap((p) => (p.replaces ? [p.replaces] : [])))).map((e) => [
          e.eventId,
          e,
        ]),
      );
      for (const p of pending) {
        const bySlot = slots.get(p.roomId) as Map<string, StoredEvent>;
        const previous = p.replaces ? older.get(p.replaces) : undefined;
        if (previous) bySlot.set(p.slot, previous);
        else bySlot.delete(p.slot);
      }
    }
    return new Map([...slots].map(([roomId, bySlot]) => [roomId, [...bySlot.values()]]));
  }

  /** Formats every joined room's events: state in one batch, timelines grouped by identical
   * visibility so bundled aggregations are read once per group, not once per room. */
  private async formatJoined(
    response: SyncResponse,
    work: JoinedWork[],
    timelines: Map<string, Timeline>,
    roomState: Map<string, StoredEvent[]>,
    stateAfter: boolean,
    userId: string,
  ) {
    const now = this.clock.now();
    const formattedState = new Map(
      (await formatClientEvents(this.rooms, this.versions, [...roomState.values()].flat(), now)).map((e) => [
        e.event_id,
        e,
      ]),
    );
    const groups = new Map<string, { viewer: ReturnType<typeof viewerOf>; events: StoredEvent[] }>();
    for (const w of work) {
      const timeline = timelines.get(w.roomId) as Timeline;
      const viewer = viewerOf(timeline.ctx, userId);
      const key = JSON.stringify(viewer.visible);
      const group = groups.get(key) ?? { viewer, events: [] };
      group.events.push(...timeline.events);
      groups.set(key, group);
    }
    const formatted = new Map<string, ClientEvent>();
    for (const group of groups.values()) {
      for (const e of await formatWithAggregations(
        this.rooms,
        this.versions,
        now,
        group.events,
        group.viewer,
      )) {
        formatted.set(e.event_id, e);
      }
    }
    for (const w of work) {
      const room = response.rooms.join[w.roomId] as JoinedRoom;
      const state = {
        events: (roomState.get(w.roomId) ?? []).map((e) => formattedState.get(e.eventId) as ClientEvent),
      };
      if (stateAfter) room["org.matrix.msc4222.state_after"] = state;
      else room.state = state;
      if (room.timeline) {
        room.timeline.events = (timelines.get(w.roomId) as Timeline).events.map(
          (e) => formatted.get(e.eventId) as ClientEvent,
        );
      }
    }
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

interface JoinedWork {
  roomId: string;
  /** The position the client has seen this room up to; undefined when the room is new to it. */
  since: number | undefined;
}

interface Timeline {
  events: StoredEvent[];
  limited: boolean;
  ctx: VisibilityContext;
}

function groupByRoom(events: StoredEvent[]): Map<string, StoredEvent[]> {
  const byRoom = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byRoom.get(e.roomId);
    if (list) list.push(e);
    else byRoom.set(e.roomId, [e]);
  }
  return byRoom;
}

/** Heroes and member counts (spec: "m.heroes", "m.joined_member_count", "m.invited_member_count"). */
function summaryOf(members: MembershipEntry[], userId: string) {
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
