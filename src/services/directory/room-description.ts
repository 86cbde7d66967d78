/**
 * What the directory, room summaries and the space hierarchy tell about a room, from its current
 * state (spec: data/api/client-server/definitions/public_rooms_chunk.yaml and room_summary.yaml).
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { isJsonObject, type JsonObject } from "../../protocol/json.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";

/** A `PublishedRoomsChunk` plus the room summary's `room_version`, `encryption` and
 * `allowed_room_ids`. Optional fields are absent rather than null. */
export interface RoomDescription {
  room_id: string;
  name?: string;
  topic?: string;
  avatar_url?: string;
  canonical_alias?: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  join_rule: string;
  room_type?: string;
  room_version: string;
  encryption?: string;
  allowed_room_ids?: string[];
}

const DESCRIBING_STATE: Array<[string, string]> = [
  ["m.room.create", ""],
  ["m.room.name", ""],
  ["m.room.topic", ""],
  ["m.room.avatar", ""],
  ["m.room.canonical_alias", ""],
  ["m.room.join_rules", ""],
  ["m.room.history_visibility", ""],
  ["m.room.guest_access", ""],
  ["m.room.encryption", ""],
];

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** The plain-text topic: the `text/plain` representation of `m.topic` (a missing mimetype means
 * text/plain), else the legacy `topic` string (spec: `m.room.topic`). */
export function plainTopic(content: JsonObject): string | undefined {
  const rich = content["m.topic"];
  if (isJsonObject(rich) && Array.isArray(rich["m.text"])) {
    for (const entry of rich["m.text"]) {
      if (!isJsonObject(entry) || typeof entry.body !== "string") continue;
      const mimetype = entry.mimetype ?? "text/plain";
      if (mimetype === "text/plain") return entry.body;
    }
  }
  return nonEmptyString(content.topic);
}

/** The rooms whose joined members may join a restricted room (`m.room_membership` conditions). */
export function allowedRoomIds(joinRules: JsonObject | undefined): string[] {
  const rule = joinRules?.join_rule;
  if (rule !== "restricted" && rule !== "knock_restricted") return [];
  const allow = joinRules?.allow;
  if (!Array.isArray(allow)) return [];
  return allow.flatMap((condition) =>
    isJsonObject(condition) && condition.type === "m.room_membership" && typeof condition.room_id === "string"
      ? [condition.room_id]
      : [],
  );
}

export class RoomDescriber {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
  ) {}

  /** Describes a room this server knows; 404 M_NOT_FOUND otherwise. */
  async describe(roomId: string): Promise<RoomDescription> {
    const version = await this.versions.get(roomId);
    const state = new Map<string, StoredEvent>();
    for (const e of await this.rooms.currentState(roomId, DESCRIBING_STATE)) state.set(e.pdu.type, e);
    const content = (type: string): JsonObject | undefined => state.get(type)?.pdu.content;

    const joinRules = content("m.room.join_rules");
    const description: RoomDescription = {
      room_id: roomId,
      num_joined_members: (await this.rooms.members(roomId, "join")).length,
      world_readable: content("m.room.history_visibility")?.history_visibility === "world_readable",
      guest_can_join: content("m.room.guest_access")?.guest_access === "can_join",
      // Without a join rules event the auth rules treat the room as invite-only.
      join_rule: nonEmptyString(joinRules?.join_rule) ?? "invite",
      room_version: version.id,
    };
    const name = nonEmptyString(content("m.room.name")?.name);
    if (name !== undefined) description.name = name;
    const topicContent = content("m.room.topic");
    const topic = topicContent ? plainTopic(topicContent) : undefined;
    if (topic !== undefined) description.topic = topic;
    const avatar = nonEmptyString(content("m.room.avatar")?.url);
    if (avatar !== undefined) description.avatar_url = avatar;
    const alias = nonEmptyString(content("m.room.canonical_alias")?.alias);
    if (alias !== undefined) description.canonical_alias = alias;
    const roomType = nonEmptyString(content("m.room.create")?.type);
    if (roomType !== undefined) description.room_type = roomType;
    const encryption = nonEmptyString(content("m.room.encryption")?.algorithm);
    if (encryption !== undefined) description.encryption = encryption;
    const allowed = allowedRoomIds(joinRules);
    if (allowed.length > 0) description.allowed_room_ids = allowed;
    return description;
  }
}
