/**
 * The published room directory (spec: client-server-api "Published room directory",
 * data/api/client-server/list_public_rooms.yaml): which rooms are listed, and the paginated,
 * filtered listing. Rooms are ordered by joined members, largest first, then by room ID — a stable
 * order, so offset tokens page through it in both directions.
 */
import type { DirectoryRepository } from "../../ports/store/directory.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, notFound } from "../errors.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import type { RoomDescriber, RoomDescription } from "./room-description.js";
import { maySendState, membershipOf } from "./room-power.js";

export interface PublicRoomsQuery {
  limit?: number | undefined;
  since?: string | undefined;
  server?: string | undefined;
  filter?:
    | {
        generic_search_term?: string | undefined;
        /** `null` in the list stands for rooms without a type. */
        room_types?: Array<string | null> | undefined;
      }
    | undefined;
}

export interface PublicRoomsPage {
  chunk: Array<Omit<RoomDescription, "room_version" | "encryption" | "allowed_room_ids">>;
  next_batch?: string;
  prev_batch?: string;
  total_room_count_estimate: number;
}

/** The most rooms one page returns, whatever the client asks for. */
const MAX_PAGE = 500;

const offsetToken = (offset: number) => `p${offset}`;

function parseOffsetToken(token: string): number {
  const match = /^p(\d{1,9})$/.exec(token);
  if (!match) throw invalidParam(`Unknown pagination token ${token}`);
  return Number(match[1]);
}

export class PublicRoomDirectory {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly describer: RoomDescriber,
    private readonly serverName: string,
  ) {}

  /** `GET /directory/list/room/{roomId}`. */
  async visibility(roomId: string): Promise<"public" | "private"> {
    const room = await this.rooms.getRoom(roomId);
    if (!room) throw notFound("Room not found");
    return room.isPublic ? "public" : "private";
  }

  /** `PUT /directory/list/room/{roomId}`: server admins, or members with the power to send
   * `m.room.canonical_alias` (as Synapse's check_can_change_room_list). */
  async setVisibility(requester: Requester, roomId: string, visibility: "public" | "private"): Promise<void> {
    const room = await this.rooms.getRoom(roomId);
    if (!room) throw notFound("Room not found");
    if (!requester.isAdmin) {
      const joined = (await membershipOf(this.rooms, roomId, requester.userId)) === "join";
      const mayPublish =
        joined &&
        (await maySendState(this.rooms, this.versions, roomId, requester.userId, "m.room.canonical_alias"));
      if (!mayPublish) throw forbidden("You are not allowed to change the room's directory visibility");
    }
    await this.rooms.setPublic(roomId, visibility === "public");
  }

  /** `GET`/`POST /publicRooms`. */
  async list(query: PublicRoomsQuery): Promise<PublicRoomsPage> {
    if (query.server !== undefined && query.server !== this.serverName) {
      // Federation: GET/POST /_matrix/federation/v1/publicRooms on that server plugs in here.
      throw notFound(`Cannot list the room directory of ${query.server}: no federation yet`);
    }
    const offset = query.since ? parseOffsetToken(query.since) : 0;
    const limit = Math.min(query.limit ?? MAX_PAGE, MAX_PAGE);
    if (!Number.isInteger(limit) || limit < 0) throw invalidParam("limit must be a non-negative integer");

    const published = await this.directory.publishedRoomIds();
    const described: RoomDescription[] = [];
    for (const roomId of published) {
      if (!(await this.rooms.getRoom(roomId))) continue;
      described.push(await this.describer.describe(roomId));
    }
    const matching = described
      .filter((room) => matchesFilter(room, query.filter))
      .sort((a, b) => b.num_joined_members - a.num_joined_members || (a.room_id < b.room_id ? -1 : 1));

    const page: PublicRoomsPage = {
      chunk: matching.slice(offset, offset + limit).map(toChunk),
      total_room_count_estimate: published.length,
    };
    if (limit > 0 && offset + limit < matching.length) page.next_batch = offsetToken(offset + limit);
    if (offset > 0) page.prev_batch = offsetToken(Math.max(0, offset - limit));
    return page;
  }
}

function matchesFilter(room: RoomDescription, filter: PublicRoomsQuery["filter"]): boolean {
  if (!filter) return true;
  if (filter.room_types !== undefined && !filter.room_types.includes(room.room_type ?? null)) return false;
  const term = filter.generic_search_term?.trim().toLowerCase();
  if (term) {
    const fields = [room.name, room.topic, room.canonical_alias, room.room_id];
    if (!fields.some((field) => field?.toLowerCase().includes(term))) return false;
  }
  return true;
}

/** The directory chunk is the summary without the summary-only fields. */
function toChunk(room: RoomDescription): PublicRoomsPage["chunk"][number] {
  const { room_version: _version, encryption: _encryption, allowed_room_ids: _allowed, ...chunk } = room;
  return chunk;
}
