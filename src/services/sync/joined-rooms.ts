/**
 * The joined rooms of a /sync response, read in a handful of statements for all rooms together.
 */
import type { Clock } from "../../ports/clock.js";
import type { MembershipEntry, RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { AGGREGATED_RELATIONS, formatWithAggregations, viewerOf } from "../rooms/bundled-aggregations.js";
import { type ClientEvent, formatClientEvents } from "../rooms/client-event.js";
import { matchesFilter, streamToken } from "../rooms/room-reader.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { canSeeEvent, type VisibilityContext, visibilityContextFrom } from "../rooms/visibility.js";
import { lazyMembers, readTimeline, type Timeline, timelineLimit } from "./room-timeline.js";
import { type JoinedRoom, joinedRoom, type SyncResponse } from "./sync-response.js";
import type { SyncRequest } from "./sync-source.js";

export class JoinedRooms {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly clock: Clock,
  ) {}

  /**
   * Joined rooms, read in a handful of statements for all rooms together (an initial sync of 500
   * rooms is not 500 × N round trips): visibility histories, the newest events of each room,
   * current state, and memberships for the summaries.
   */
  async collect(request: SyncRequest, response: SyncResponse, work: JoinedWork[], now: number) {
    const userId = request.requester.userId;
    const timelineFilter = request.filter.room?.timeline;
    const limit = timelineLimit(timelineFilter);
    const fresh = work.filter((w) => w.since === undefined).map((w) => w.roomId);
    const incremental = work.filter((w) => w.since !== undefined).map((w) => w.roomId);
    const since = work.find((w) => w.since !== undefined)?.since;
    // Rooms the user was joined to throughout the window need no visibility history for it.
    const needHistory = work.filter((w) => !joinedThroughout(w)).map((w) => w.roomId);
    const [history, recentFresh, recentIncremental] = await Promise.all([
      needHistory.length ? this.rooms.visibilityHistoryOfRooms(needHistory, userId) : [],
      fresh.length ? this.rooms.recentEventsInRooms(fresh, { upTo: now, perRoom: limit + 1 }) : [],
      incremental.length
        ? this.rooms.recentEventsInRooms(incremental, { after: since, upTo: now, perRoom: limit + 1 })
        : [],
    ]);
    const historyByRoom = groupByRoom(history);
    const recentByRoom = groupByRoom([...recentFresh, ...recentIncremental]);
    // The summary may be left out when it has not changed since the last sync (spec: sync.yaml
    // RoomSummary): an incremental room whose whole window was read and holds no member event.
    const withSummary = new Set(
      work
        .filter((w) => {
          if (w.since === undefined || request.fullState) return true;
          const fetched = recentByRoom.get(w.roomId) ?? [];
          return fetched.length > limit || fetched.some((e) => e.pdu.type === "m.room.member");
        })
        .map((w) => w.roomId),
    );
    const memberships = withSummary.size > 0 ? await this.rooms.membershipsInRooms([...withSummary]) : [];

    const timelines = new Map<string, Timeline>();
    for (const w of work) {
      const ctx = joinedThroughout(w)
        ? joinedSince(w.joinedAt)
        : visibilityContextFrom(historyByRoom.get(w.roomId) ?? []);
      const fetched = recentByRoom.get(w.roomId) ?? [];
      const wanted = fetched.filter(
        (e) => canSeeEvent(ctx, userId, e) && matchesFilter(e.pdu, timelineFilter),
      );
      if (fetched.length > limit && wanted.length <= limit) {
        // Some of the newest events were hidden or filtered out: page further back for this room.
        timelines.set(w.roomId, await readTimeline(this.rooms, request, w.roomId, w.since, now));
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
        lazyMembers(
          state.filter((e) => matchesFilter(e.pdu, stateFilter)),
          timeline.events,
          request,
        ),
      );
      if (withSummary.has(w.roomId)) room.summary = summaryOf(membersByRoom.get(w.roomId) ?? [], userId);
      room.unread_notifications ??= { highlight_count: 0, notification_count: 0 };
    }
    const related = await this.relatedParents(work, timelines, userId);
    await this.formatJoined(response, work, timelines, roomState, request.useStateAfter, userId, related);
  }

  /**
   * Which timeline events anything relates to, in one read for every room. A room read without its
   * visibility history gets it now if it has such an event: the aggregations are filtered by the
   * ranges of history the user may see, which reach before the join.
   */
  private async relatedParents(work: JoinedWork[], timelines: Map<string, Timeline>, userId: string) {
    const parents = [...timelines.values()].flatMap((t) =>
      t.events.filter((e) => e.pdu.state_key === undefined).map((e) => e.eventId),
    );
    const related = parents.length
      ? await this.rooms.parentsWithChildren(parents, AGGREGATED_RELATIONS)
      : new Set<string>();
    const stale = work.filter(
      (w) => joinedThroughout(w) && timelines.get(w.roomId)?.events.some((e) => related.has(e.eventId)),
    );
    if (stale.length > 0) {
      const history = groupByRoom(
        await this.rooms.visibilityHistoryOfRooms(
          stale.map((w) => w.roomId),
          userId,
        ),
      );
      for (const w of stale) {
        const timeline = timelines.get(w.roomId) as Timeline;
        timeline.ctx = visibilityContextFrom(history.get(w.roomId) ?? []);
      }
    }
    return related;
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
    related: ReadonlySet<string>,
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
        true,
        related,
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
}

export interface JoinedWork {
  roomId: string;
  /** The position the client has seen this room up to; undefined when the room is new to it. */
  since: number | undefined;
  /** The position of the user's current join. */
  joinedAt: number;
}

/** Joined since before the client's position: every event after that position is one the user was
 * joined for, so may see whatever the history visibility (spec: "History visibility"). */
const joinedThroughout = (w: JoinedWork) => w.since !== undefined && w.joinedAt <= w.since;

/** The visibility context of a room the user was joined to throughout the window: right for every
 * event in the window, not for history before the join (which is loaded when aggregations need it). */
const joinedSince = (joinedAt: number): VisibilityContext => ({
  memberships: [{ at: joinedAt, value: "join" }],
  visibilities: [],
});

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
