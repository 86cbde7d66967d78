/**
 * Reading relationships (spec: client-server-api "Relationships API", threading "Querying threads in
 * a room"): the children of an event, and the threads of a room. Both honour history visibility: an
 * event the user may not see is "not found", and children they may not see are left out.
 *
 * Pagination tokens are stream positions, the same `s…` tokens as `/messages`, so a `/messages`
 * token works as `from` here as the spec allows; so does a `/sync` `next_batch`.
 */
import type { Clock } from "../../ports/clock.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import { forbidden, notFound } from "../errors.js";
import { decodeSyncToken } from "../sync/sync-token.js";
import { formatWithAggregations, type Viewer, viewerOf } from "./bundled-aggregations.js";
import type { ClientEvent } from "./client-event.js";
import { parseStreamToken, streamToken } from "./room-reader.js";
import type { RoomVersionCache } from "./room-version-cache.js";
import { canSeeEvent, loadVisibilityContext } from "./visibility.js";

/** How far `recurse=true` follows children of children; the spec asks for at least 3. */
export const RECURSION_DEPTH = 3;

export interface RelationsOptions {
  relType?: string | undefined;
  eventType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  dir: "f" | "b";
  limit: number;
  /** Absent when the client did not say; then `recursion_depth` is absent too. */
  recurse?: boolean | undefined;
}

export interface RelationsPage {
  chunk: ClientEvent[];
  next_batch?: string;
  prev_batch?: string;
  recursion_depth?: number;
}

export class Relations {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly clock: Clock,
  ) {}

  /** `GET /rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]`. */
  async children(
    roomId: string,
    userId: string,
    eventId: string,
    options: RelationsOptions,
  ): Promise<RelationsPage> {
    await this.versions.get(roomId);
    const parent = await this.rooms.getEvent(eventId);
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!parent || parent.roomId !== roomId || !canSeeEvent(ctx, userId, parent)) {
      throw notFound("Event not found");
    }
    const viewer = viewerOf(ctx, userId);
    const depth = options.recurse ? RECURSION_DEPTH : 1;
    const rows = await this.rooms.relations(eventId, {
      roomId,
      relType: options.relType,
      eventType: options.eventType,
      from: options.from !== undefined ? fromPosition(options.from, options.dir) : undefined,
      to: options.to !== undefined ? parseStreamToken(options.to) : undefined,
      direction: options.dir,
      // One more than asked tells whether there is a next page.
      limit: options.limit + 1,
      depth,
      visible: viewer.visible,
    });
    const page = rows.slice(0, options.limit);
    const response: RelationsPage = { chunk: await this.format(page, viewer) };
    const last = page.at(-1);
    if (rows.length > options.limit && last) response.next_batch = streamToken(last.streamOrdering);
    if (options.from !== undefined) response.prev_batch = options.from;
    // "If the recurse parameter was supplied by the client, this response field is mandatory."
    if (options.recurse !== undefined) response.recursion_depth = depth;
    return response;
  }

  /** `GET /rooms/{roomId}/threads`: thread roots by their latest activity, newest first. */
  async threads(
    roomId: string,
    userId: string,
    options: { include: "all" | "participated"; from?: string | undefined; limit: number },
  ): Promise<{ chunk: ClientEvent[]; next_batch?: string }> {
    await this.versions.get(roomId);
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!ctx.memberships.length && ctx.visibilities.at(-1)?.value !== "world_readable") {
      throw forbidden("You are not allowed to view this room");
    }
    const viewer = viewerOf(ctx, userId);
    const rows = await this.rooms.threads(roomId, {
      userId,
      participatedOnly: options.include === "participated",
      before: options.from !== undefined ? parseStreamToken(options.from) : undefined,
      limit: options.limit + 1,
      visible: viewer.visible,
    });
    const page = rows.slice(0, options.limit);
    const roots = new Map((await this.rooms.getEvents(page.map((r) => r.rootId))).map((e) => [e.eventId, e]));
    const ordered = page.flatMap((r) => roots.get(r.rootId) ?? []);
    const response: { chunk: ClientEvent[]; next_batch?: string } = {
      chunk: await this.format(ordered, viewer),
    };
    const last = page.at(-1);
    if (rows.length > options.limit && last) response.next_batch = streamToken(last.latest);
    return response;
  }

  private format(events: Parameters<typeof formatWithAggregations>[3], viewer: Viewer) {
    return formatWithAggregations(this.rooms, this.versions, this.clock.now(), events, viewer);
  }
}

/** The exclusive bound a `from` token sets. A sync token says which events the client has (its
 * events stream position `e`, inclusive), so paginating back from it starts at that event. */
function fromPosition(token: string, dir: "f" | "b"): number {
  if (!token.startsWith("lat1.")) return parseStreamToken(token);
  const events = decodeSyncToken(token).e ?? 0;
  return dir === "b" ? events + 1 : events;
}
