/**
 * Server side search (spec: client-server-api "Server Side Search", `POST /search`): full-text search
 * over the `room_events` category in every room the user is or was in, returning only events the
 * user may see under history visibility. The store's full-text index finds candidates; this service
 * applies visibility and the filter, pages, and adds context, state and groups.
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import type { SearchKey, SearchRepository } from "../../ports/store/search.js";
import type { JsonObject } from "../../protocol/json.js";
import { invalidParam } from "../errors.js";
import type { ClientEvent } from "./client-event.js";
import { type EventFilter, matchesFilter, type RoomReader, streamToken } from "./room-reader.js";
import { canSeeEvent, loadVisibilityContext, type VisibilityContext } from "./visibility.js";

export const SEARCH_KEYS: readonly SearchKey[] = ["content.body", "content.name", "content.topic"];

export interface RoomEventsCriteria {
  search_term: string;
  keys?: SearchKey[] | undefined;
  filter?: (EventFilter & { rooms?: string[]; not_rooms?: string[]; limit?: number }) | undefined;
  order_by?: "rank" | "recent" | undefined;
  event_context?:
    | {
        before_limit?: number | undefined;
        after_limit?: number | undefined;
        include_profile?: boolean | undefined;
      }
    | undefined;
  include_state?: boolean | undefined;
  groupings?: { group_by?: Array<{ key?: "room_id" | "sender" | undefined }> | undefined } | undefined;
}

interface SearchResult {
  rank: number;
  result: ClientEvent;
  context?: JsonObject;
}

/** A page holds at most this many results, whatever the filter asks for. */
const MAX_PAGE = 100;
const DEFAULT_PAGE = 10;
/** Context around a result is capped like a `/context` request. */
const MAX_CONTEXT = 100;

/** The words of a search term: runs of letters and digits, lower-cased (what both indexes compare). */
export function searchWords(term: string): string[] {
  const words = term.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 32);
}

/** `next_batch` is `rank:<hits skipped>` or `recent:<stream ordering>`; opaque to clients. */
function parseBatch(token: string | undefined, order: "rank" | "recent"): number | undefined {
  if (token === undefined) return undefined;
  const match = /^(rank|recent):(\d{1,15})$/.exec(token);
  if (!match || match[1] !== order) throw invalidParam(`Unknown next_batch token ${token}`);
  return Number(match[2]);
}

export class RoomSearch {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly index: SearchRepository,
    private readonly reader: RoomReader,
  ) {}

  async search(userId: string, criteria: RoomEventsCriteria, nextBatch?: string) {
    const order = criteria.order_by ?? "rank";
    const filter = criteria.filter ?? {};
    const limit = Math.min(filter.limit ?? DEFAULT_PAGE, MAX_PAGE);
    const cursor = parseBatch(nextBatch, order);
    const words = searchWords(criteria.search_term);
    const keys = criteria.keys?.length ? [...new Set(criteria.keys)] : [...SEARCH_KEYS];

    // Every room the user has a membership in; visibility below decides event by event.
    let roomIds = (await this.rooms.membershipsOf(userId)).map((m) => m.roomId);
    if (filter.rooms) roomIds = roomIds.filter((r) => filter.rooms?.includes(r));
    if (filter.not_rooms) roomIds = roomIds.filter((r) => !filter.not_rooms?.includes(r));

    const contexts = new Map<string, VisibilityContext>();
    const visible = async (e: StoredEvent) => {
      let ctx = contexts.get(e.roomId);
      if (!ctx) {
        ctx = await loadVisibilityContext(this.rooms, e.roomId, userId);
        contexts.set(e.roomId, ctx);
      }
      return canSeeEvent(ctx, userId, e);
    };

    const picked: Array<{ event: StoredEvent; rank: number }> = [];
    let offset = order === "rank" ? (cursor ?? 0) : 0;
    let before = order === "recent" ? cursor : undefined;
    let count = 0;
    let more = false;
    // Hits the user may not see are skipped, so keep reading until the page is full.
    for (let first = true; ; first = false) {
      const batchSize = Math.max(limit * 2, 20);
      const batch = await this.index.search({
        words,
        keys,
        roomIds,
        order,
        limit: batchSize,
        offset,
        before,
      });
      if (first) count = batch.count;
      let consumed = 0;
      for (const hit of batch.hits) {
        if (picked.length === limit) break;
        consumed++;
        if ((await visible(hit.event)) && matchesFilter(hit.event.pdu, filter)) picked.push(hit);
      }
      offset += consumed;
      before = batch.hits[consumed - 1]?.event.streamOrdering ?? before;
      more = consumed < batch.hits.length || batch.hits.length === batchSize;
      if (picked.length === limit || batch.hits.length < batchSize) break;
    }

    const formatted = await this.reader.format(picked.map((p) => p.event));
    const results: SearchResult[] = [];
    for (const [i, hit] of picked.entries()) {
      const result: SearchResult = { rank: hit.rank, result: formatted[i] as ClientEvent };
      if (criteria.event_context) {
        result.context = await this.context(hit.event, criteria.event_context, visible);
      }
      results.push(result);
    }

    const roomEvents: JsonObject = {
      results: results as unknown as JsonObject[],
      count,
      highlights: words,
    };
    if (more && picked.length > 0) {
      roomEvents.next_batch = order === "rank" ? `rank:${offset}` : `recent:${before}`;
    }
    if (criteria.groupings?.group_by) {
      roomEvents.groups = this.groups(
        picked.map((p) => p.event),
        criteria.groupings.group_by.map((g) => g.key).filter((k): k is "room_id" | "sender" => !!k),
      );
    }
    if (criteria.include_state) {
      const state: JsonObject = {};
      for (const roomId of new Set(picked.map((p) => p.event.roomId))) {
        state[roomId] = (await this.reader.state(roomId, userId)) as unknown as JsonObject[];
      }
      roomEvents.state = state;
    }
    return roomEvents;
  }

  /** Events just before and after a result, the pagination tokens around them and, on request,
   * the senders' profiles as they were at the result. */
  private async context(
    event: StoredEvent,
    options: NonNullable<RoomEventsCriteria["event_context"]>,
    visible: (e: StoredEvent) => Promise<boolean>,
  ): Promise<JsonObject> {
    const around = async (direction: "f" | "b", count: number) => {
      if (count <= 0) return [];
      const batch = await this.rooms.timeline(event.roomId, {
        from: event.streamOrdering,
        direction,
        limit: count,
      });
      const out: StoredEvent[] = [];
      for (const e of batch) if (await visible(e)) out.push(e);
      return out;
    };
    const beforeEvents = await around("b", Math.min(options.before_limit ?? 5, MAX_CONTEXT));
    const afterEvents = await around("f", Math.min(options.after_limit ?? 5, MAX_CONTEXT));
    const context: JsonObject = {
      events_before: (await this.reader.format(beforeEvents)) as unknown as JsonObject[],
      events_after: (await this.reader.format(afterEvents)) as unknown as JsonObject[],
      start: streamToken(beforeEvents.at(-1)?.streamOrdering ?? event.streamOrdering),
      end: streamToken(afterEvents.at(-1)?.streamOrdering ?? event.streamOrdering),
    };
    if (options.include_profile) {
      const senders = [...new Set([event, ...beforeEvents, ...afterEvents].map((e) => e.pdu.sender))];
      const history = await this.rooms.stateHistory(
        event.roomId,
        senders.map((s) => ["m.room.member", s] as [string, string]),
      );
      const profiles: JsonObject = {};
      // The member event in force at the result: the latest one at or before it.
      for (const member of history) {
        if (member.streamOrdering > event.streamOrdering) continue;
        const c = member.pdu.content;
        const profile: JsonObject = {};
        if (typeof c.displayname === "string") profile.displayname = c.displayname;
        if (typeof c.avatar_url === "string") profile.avatar_url = c.avatar_url;
        profiles[member.pdu.state_key as string] = profile;
      }
      context.profile_info = profiles;
    }
    return context;
  }

  /** Results grouped by room or sender (spec: "Groups"); each group lists its event IDs in result
   * order. Pages are not per group, so groups carry no `next_batch`. */
  private groups(events: StoredEvent[], keys: Array<"room_id" | "sender">): JsonObject {
    const groups: JsonObject = {};
    for (const key of new Set(keys)) {
      const byValue: Record<string, { results: string[]; order: number }> = {};
      for (const e of events) {
        const value = key === "room_id" ? e.roomId : e.pdu.sender;
        byValue[value] ??= { results: [], order: Object.keys(byValue).length + 1 };
        byValue[value].results.push(e.eventId);
      }
      groups[key] = byValue as unknown as JsonObject;
    }
    return groups;
  }
}
