/**
 * The space hierarchy (spec: client-server-api "Spaces", data/api/client-server/space_hierarchy.yaml;
 * MSC2946): a depth-first walk from a room over the `m.space.child` events of space-rooms, listing
 * the rooms the requester may see. Local rooms only: children only other servers know are skipped
 * (federation's `GET /_matrix/federation/v1/hierarchy/{roomId}` would fill them in here).
 *
 * Pagination is stateless: the token records how many rooms were already returned and the walk's
 * parameters, and the next page walks again and skips them. Loops are cut by a visited set.
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { isJsonObject } from "../../protocol/json.js";
import { forbidden, invalidParam } from "../errors.js";
import type { RoomAccess } from "./room-access.js";
import type { RoomDescriber, RoomDescription } from "./room-description.js";

export interface HierarchyQuery {
  maxDepth?: number | undefined;
  suggestedOnly: boolean;
  limit?: number | undefined;
  from?: string | undefined;
}

export interface StrippedChildEvent {
  type: string;
  state_key: string;
  content: Record<string, unknown>;
  sender: string;
  origin_server_ts: number;
}

export type HierarchyRoom = RoomDescription & { children_state: StrippedChildEvent[] };

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
const MAX_DEPTH = 50;
/** Rooms looked at per request at most, accessible or not, so a huge tree cannot pin the server. */
const MAX_ROOMS_VISITED = 1000;

interface Token {
  skip: number;
  root: string;
  maxDepth: number;
  suggestedOnly: boolean;
}

function encodeToken(token: Token): string {
  return btoa(JSON.stringify(token)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeToken(text: string): Token {
  try {
    const value = JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/"))) as Token;
    if (
      Number.isInteger(value.skip) &&
      value.skip >= 0 &&
      typeof value.root === "string" &&
      Number.isInteger(value.maxDepth) &&
      typeof value.suggestedOnly === "boolean"
    ) {
      return value;
    }
  } catch {
    // fall through
  }
  throw invalidParam("Unknown pagination token");
}

/** A child event is valid while its `via` is a non-empty list of server names. */
function validChild(e: StoredEvent): boolean {
  const via = e.pdu.content.via;
  return Array.isArray(via) && via.length > 0 && via.every((v) => typeof v === "string");
}

/** An `order` counts when it is a string of at most 50 characters in U+0020–U+007E. */
function orderOf(e: StoredEvent): string | undefined {
  const order = e.pdu.content.order;
  return typeof order === "string" && order.length <= 50 && /^[\x20-\x7E]*$/.test(order) ? order : undefined;
}

/** The spec's ordering of children: valid `order` first (by code point), then by the child event's
 * `origin_server_ts`, then by room ID. */
export function orderChildren(events: StoredEvent[]): StoredEvent[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...events].sort((a, b) => {
    const oa = orderOf(a);
    const ob = orderOf(b);
    if (oa !== undefined && ob === undefined) return -1;
    if (oa === undefined && ob !== undefined) return 1;
    if (oa !== undefined && ob !== undefined && oa !== ob) return cmp(oa, ob);
    return (
      a.pdu.origin_server_ts - b.pdu.origin_server_ts || cmp(a.pdu.state_key ?? "", b.pdu.state_key ?? "")
    );
  });
}

export class SpaceHierarchy {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly access: RoomAccess,
    private readonly describer: RoomDescriber,
  ) {}

  async hierarchy(
    roomId: string,
    userId: string,
    query: HierarchyQuery,
  ): Promise<{ rooms: HierarchyRoom[]; next_batch?: string }> {
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit <= 0)) {
      throw invalidParam("limit must be a positive integer");
    }
    if (query.maxDepth !== undefined && (!Number.isInteger(query.maxDepth) || query.maxDepth < 0)) {
      throw invalidParam("max_depth must be a non-negative integer");
    }
    const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const maxDepth = Math.min(query.maxDepth ?? MAX_DEPTH, MAX_DEPTH);
    let skip = 0;
    if (query.from !== undefined) {
      const token = decodeToken(query.from);
      if (
        token.root !== roomId ||
        token.maxDepth !== maxDepth ||
        token.suggestedOnly !== query.suggestedOnly
      ) {
        throw invalidParam("suggested_only and max_depth cannot change on paginated requests");
      }
      skip = token.skip;
    }

    const root = await this.access.maySee(roomId, userId);
    if (!root.allowed) throw forbidden("You are not allowed to view this room");

    const out: HierarchyRoom[] = [];
    const visited = new Set<string>();
    const stack: Array<{ roomId: string; depth: number }> = [{ roomId, depth: 0 }];
    let seen = 0;
    let more = false;
    while (stack.length > 0 && visited.size < MAX_ROOMS_VISITED) {
      const next = stack.pop() as { roomId: string; depth: number };
      if (visited.has(next.roomId)) continue;
      visited.add(next.roomId);
      if (!(await this.rooms.getRoom(next.roomId))) continue;
      if (next.depth > 0 && !(await this.access.maySee(next.roomId, userId)).allowed) continue;

      const description = await this.describer.describe(next.roomId);
      const children = description.room_type === "m.space" ? await this.children(next.roomId, query) : [];
      if (seen >= skip) {
        if (out.length === limit) {
          more = true;
          break;
        }
        out.push({ ...description, children_state: children.map(stripped) });
      }
      seen++;
      if (next.depth < maxDepth) {
        // Pushed in reverse so the walk visits children in the spec's order.
        for (const child of [...children].reverse()) {
          const childId = child.pdu.state_key ?? "";
          if (!visited.has(childId)) stack.push({ roomId: childId, depth: next.depth + 1 });
        }
      }
    }
    const response: { rooms: HierarchyRoom[]; next_batch?: string } = { rooms: out };
    if (more) {
      response.next_batch = encodeToken({
        skip: skip + out.length,
        root: roomId,
        maxDepth,
        suggestedOnly: query.suggestedOnly,
      });
    }
    return response;
  }

  private async children(roomId: string, query: HierarchyQuery): Promise<StoredEvent[]> {
    const state = await this.rooms.currentState(roomId);
    const children = state.filter(
      (e) =>
        e.pdu.type === "m.space.child" &&
        validChild(e) &&
        (!query.suggestedOnly || e.pdu.content.suggested === true),
    );
    return orderChildren(children);
  }
}

function stripped(e: StoredEvent): StrippedChildEvent {
  return {
    type: e.pdu.type,
    state_key: e.pdu.state_key ?? "",
    content: isJsonObject(e.pdu.content) ? e.pdu.content : {},
    sender: e.pdu.sender,
    origin_server_ts: e.pdu.origin_server_ts,
  };
}
