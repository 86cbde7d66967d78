/**
 * Reading rooms (spec: client-server-api "Getting events for a room", "Syncing" is elsewhere):
 * state, single events, members, `/messages` and `/context`, each filtered by history visibility.
 */
import type { Clock } from "../../ports/clock.js";
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import { forbidden, MatrixError, notFound } from "../errors.js";
import { formatWithAggregations, viewerOf } from "./bundled-aggregations.js";
import { type ClientEvent, formatClientEvents } from "./client-event.js";
import type { RoomVersionCache } from "./room-version-cache.js";
import {
  canSeeEvent,
  currentMembership,
  loadVisibilityContext,
  type VisibilityContext,
} from "./visibility.js";

export interface EventFilter {
  types?: string[] | undefined;
  not_types?: string[] | undefined;
  senders?: string[] | undefined;
  not_senders?: string[] | undefined;
  contains_url?: boolean | undefined;
}

/** Pagination tokens are stream positions, `s` + number, opaque to clients. */
export const streamToken = (position: number) => `s${position}`;

export function parseStreamToken(token: string): number {
  const match = /^s(\d{1,15})$/.exec(token);
  if (!match) throw new MatrixError(400, "M_INVALID_PARAM", `Unknown pagination token ${token}`);
  return Number(match[1]);
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${source}$`).test(value);
}

/** Whether an event passes a filter's `types`/`not_types` (with `*` globs), `senders`/`not_senders`
 * and `contains_url` (spec: client-server-api "Filtering"). */
export function matchesFilter(
  event: { type: string; sender: string; content?: JsonObject },
  filter: EventFilter | undefined,
): boolean {
  if (!filter) return true;
  const type = event.type;
  if (filter.not_types?.some((p) => globMatch(p, type))) return false;
  if (filter.types && !filter.types.some((p) => globMatch(p, type))) return false;
  if (filter.not_senders?.includes(event.sender)) return false;
  if (filter.senders && !filter.senders.includes(event.sender)) return false;
  if (filter.contains_url !== undefined) {
    const hasUrl = typeof event.content?.url === "string";
    if (hasUrl !== filter.contains_url) return false;
  }
  return true;
}

export class RoomReader {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly clock: Clock,
  ) {}

  format(events: StoredEvent[]): Promise<ClientEvent[]> {
    return formatClientEvents(this.rooms, this.versions, events, this.clock.now());
  }

  /** Formats timeline events with their bundled aggregations, as this user may see them. */
  formatForUser(events: StoredEvent[], userId: string, ctx: VisibilityContext): Promise<ClientEvent[]> {
    return formatWithAggregations(this.rooms, this.versions, this.clock.now(), events, viewerOf(ctx, userId));
  }

  /** The stream position up to which the user may read the room's state: now if joined (or the
   * room is world readable), the moment they left otherwise; 403 if they were never in it. */
  private async readableUpTo(
    roomId: string,
    userId: string,
  ): Promise<{ ctx: VisibilityContext; upTo?: number }> {
    await this.versions.get(roomId);
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    const membership = currentMembership(ctx);
    if (membership === "join") return { ctx };
    const visibility = ctx.visibilities.at(-1)?.value;
    if (visibility === "world_readable") return { ctx };
    const lastJoinOrLeave = ctx.memberships.at(-1);
    if ((membership === "leave" || membership === "ban") && ctx.memberships.some((m) => m.value === "join")) {
      return { ctx, upTo: lastJoinOrLeave?.at };
    }
    throw forbidden("You are not a member of this room");
  }

  async state(roomId: string, userId: string): Promise<ClientEvent[]> {
    const { upTo } = await this.readableUpTo(roomId, userId);
    const events =
      upTo === undefined ? await this.rooms.currentState(roomId) : await this.rooms.stateAt(roomId, upTo);
    return this.format(events);
  }

  async stateEvent(roomId: string, userId: string, type: string, stateKey: string): Promise<ClientEvent> {
    const { upTo } = await this.readableUpTo(roomId, userId);
    const events =
      upTo === undefined
        ? await this.rooms.currentState(roomId, [[type, stateKey]])
        : (await this.rooms.stateAt(roomId, upTo, [type])).filter((e) => e.pdu.state_key === stateKey);
    const event = events[0];
    if (!event) throw notFound("Event not found");
    const [formatted] = await this.format([event]);
    return formatted as ClientEvent;
  }

  async event(roomId: string, userId: string, eventId: string): Promise<ClientEvent> {
    const event = await this.rooms.getEvent(eventId);
    if (!event || event.roomId !== roomId) throw notFound("Event not found");
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!canSeeEvent(ctx, userId, event)) throw notFound("Event not found");
    const [formatted] = await this.formatForUser([event], userId, ctx);
    return formatted as ClientEvent;
  }

  async members(
    roomId: string,
    userId: string,
    options: {
      at?: string | undefined;
      membership?: string | undefined;
      not_membership?: string | undefined;
    },
  ): Promise<ClientEvent[]> {
    const { upTo } = await this.readableUpTo(roomId, userId);
    let at = upTo;
    if (options.at !== undefined) {
      const requested = parseStreamToken(options.at);
      at = at === undefined ? requested : Math.min(at, requested);
    }
    let events =
      at === undefined
        ? await this.rooms.currentState(roomId).then((s) => s.filter((e) => e.pdu.type === "m.room.member"))
        : await this.rooms.stateAt(roomId, at, ["m.room.member"]);
    events = events.filter((e) => {
      const m = e.pdu.content.membership;
      if (options.membership && m !== options.membership) return false;
      if (options.not_membership && m === options.not_membership) return false;
      return true;
    });
    return this.format(events);
  }

  async joinedMembers(roomId: string, userId: string) {
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (currentMembership(ctx) !== "join") throw forbidden("You are not joined to this room");
    const members = await this.rooms.members(roomId, "join");
    const events = await this.rooms.getEvents(members.map((m) => m.eventId));
    const joined: Record<string, { display_name: string | null; avatar_url: string | null }> = {};
    for (const e of events) {
      const c = e.pdu.content;
      joined[e.pdu.state_key as string] = {
        display_name: typeof c.displayname === "string" ? c.displayname : null,
        avatar_url: typeof c.avatar_url === "string" ? c.avatar_url : null,
      };
    }
    return joined;
  }

  async joinedRooms(userId: string): Promise<string[]> {
    return (await this.rooms.membershipsOf(userId))
      .filter((m) => m.membership === "join")
      .map((m) => m.roomId);
  }

  /** `GET /rooms/{roomId}/messages`. */
  async messages(
    roomId: string,
    userId: string,
    options: {
      from?: string | undefined;
      to?: string | undefined;
      dir: "f" | "b";
      limit: number;
      filter?: EventFilter;
    },
  ) {
    await this.versions.get(roomId);
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!ctx.memberships.length && ctx.visibilities.at(-1)?.value !== "world_readable") {
      throw forbidden("You are not a member of this room");
    }
    const start =
      options.from !== undefined
        ? parseStreamToken(options.from)
        : options.dir === "b"
          ? (await this.rooms.maxStreamOrdering()) + 1
          : 0;
    const to = options.to !== undefined ? parseStreamToken(options.to) : undefined;
    const chunk: StoredEvent[] = [];
    let cursor = start;
    let exhausted = false;
    // Invisible or filtered-out events are skipped; keep reading until the page is full.
    while (chunk.length < options.limit && !exhausted) {
      const batch = await this.rooms.timeline(roomId, {
        from: cursor,
        to: options.dir === "b" ? (to !== undefined ? to - 1 : undefined) : to,
        direction: options.dir,
        limit: Math.max(options.limit * 2, 20),
      });
      if (batch.length === 0) exhausted = true;
      for (const e of batch) {
        cursor = e.streamOrdering;
        if (!canSeeEvent(ctx, userId, e) || !matchesFilter(e.pdu, options.filter)) continue;
        chunk.push(e);
        if (chunk.length === options.limit) break;
      }
      if (batch.length < Math.max(options.limit * 2, 20))
        exhausted = exhausted || chunk.length < options.limit;
    }
    const response: { chunk: ClientEvent[]; start: string; end?: string } = {
      chunk: await this.formatForUser(chunk, userId, ctx),
      start: options.from ?? streamToken(start),
    };
    if (!exhausted || chunk.length === options.limit) {
      // The token is exclusive in both directions: the next page starts after (or before) it.
      if (chunk.length > 0) response.end = streamToken(cursor);
    }
    return response;
  }

  /** `GET /rooms/{roomId}/context/{eventId}`. */
  async context(roomId: string, userId: string, eventId: string, limit: number, filter?: EventFilter) {
    const event = await this.rooms.getEvent(eventId);
    if (!event || event.roomId !== roomId) throw notFound("Event not found");
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!canSeeEvent(ctx, userId, event)) throw notFound("Event not found");
    const before = Math.floor(limit / 2);
    const after = limit - before;
    const pick = async (direction: "f" | "b", count: number) => {
      const out: StoredEvent[] = [];
      let cursor = event.streamOrdering;
      for (;;) {
        const batch = await this.rooms.timeline(roomId, { from: cursor, direction, limit: 50 });
        for (const e of batch) {
          cursor = e.streamOrdering;
          if (out.length < count && canSeeEvent(ctx, userId, e) && matchesFilter(e.pdu, filter)) out.push(e);
        }
        if (batch.length < 50 || out.length >= count) return { out, cursor };
      }
    };
    const back = await pick("b", before);
    const forward = await pick("f", after);
    const state = await this.rooms.stateAt(roomId, event.streamOrdering);
    // One batch for the three lists, so bundled aggregations cost one query per kind.
    const timeline = await this.formatForUser([event, ...back.out, ...forward.out], userId, ctx);
    return {
      event: timeline[0],
      events_before: timeline.slice(1, 1 + back.out.length),
      events_after: timeline.slice(1 + back.out.length),
      start: streamToken(back.out.at(-1)?.streamOrdering ?? event.streamOrdering),
      end: streamToken(forward.out.at(-1)?.streamOrdering ?? event.streamOrdering),
      state: await this.format(state),
    };
  }

  /** `GET /rooms/{roomId}/timestamp_to_event` (spec v1.6): the visible event closest to `ts` in
   * direction `dir` — the first at or after it (`f`) or the last at or before it (`b`). */
  async eventAtTimestamp(roomId: string, userId: string, ts: number, dir: "f" | "b") {
    await this.versions.get(roomId);
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!ctx.memberships.length && ctx.visibilities.at(-1)?.value !== "world_readable") {
      throw forbidden("You are not a member of this room");
    }
    const batchSize = 100;
    for (let offset = 0; ; offset += batchSize) {
      const batch = await this.rooms.eventsByTimestamp(roomId, {
        ts,
        direction: dir,
        limit: batchSize,
        offset,
      });
      const found = batch.find((e) => canSeeEvent(ctx, userId, e));
      if (found) return { event_id: found.eventId, origin_server_ts: found.pdu.origin_server_ts };
      if (batch.length < batchSize) break;
    }
    throw notFound(`Unable to find event from ${ts} in ${dir === "f" ? "forward" : "backward"} direction`);
  }
}
