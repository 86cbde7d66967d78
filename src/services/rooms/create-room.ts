/**
 * `POST /createRoom` (spec: client-server-api "Creation"): the create event, the creator's join, power
 * levels, canonical alias, the preset's join rules, history visibility and guest access, the initial
 * state, name and topic, then the invites — in that order.
 */
import type { JsonObject } from "../../protocol/json.js";
import { DEFAULT_ROOM_VERSION, getRoomVersion, type RoomVersion } from "../../protocol/room-versions.js";
import { MatrixError } from "../errors.js";
import type { EventCreator } from "./event-creator.js";

export type Preset = "private_chat" | "trusted_private_chat" | "public_chat";

export interface CreateRoomRequest {
  creator: string;
  visibility?: "public" | "private" | undefined;
  preset?: Preset | undefined;
  room_version?: string | undefined;
  name?: string | undefined;
  topic?: string | undefined;
  invite?: string[] | undefined;
  is_direct?: boolean | undefined;
  creation_content?: JsonObject | undefined;
  initial_state?: Array<{ type: string; state_key?: string | undefined; content: JsonObject }> | undefined;
  power_level_content_override?: JsonObject | undefined;
  /** The creator's displayname and avatar_url, carried by their join event as by every join. */
  creatorProfile?: JsonObject | undefined;
  /** The canonical alias, already reserved by the directory service. */
  canonicalAlias?: string | undefined;
}

const PRESETS: Record<Preset, { join_rule: string; history_visibility: string; guest_access: string }> = {
  private_chat: { join_rule: "invite", history_visibility: "shared", guest_access: "can_join" },
  trusted_private_chat: { join_rule: "invite", history_visibility: "shared", guest_access: "can_join" },
  public_chat: { join_rule: "public", history_visibility: "shared", guest_access: "forbidden" },
};

export async function createRoom(events: EventCreator, request: CreateRoomRequest): Promise<string> {
  const versionId = request.room_version ?? DEFAULT_ROOM_VERSION;
  const version = getRoomVersion(versionId);
  if (!version) {
    throw new MatrixError(400, "M_UNSUPPORTED_ROOM_VERSION", `Room version ${versionId} is not supported`);
  }
  const preset = request.preset ?? (request.visibility === "public" ? "public_chat" : "private_chat");
  const creator = request.creator;
  const invitees = [...new Set(request.invite ?? [])].filter((u) => u !== creator);
  const trusted = preset === "trusted_private_chat";
  const infinitePower = version.authorization.creatorsHaveInfinitePower;

  const createContent: JsonObject = { ...request.creation_content, room_version: version.id };
  if (version.authorization.creatorInContent) createContent.creator = creator;
  // Room version 12: trusted private chats make the invitees creators too (MSC4289).
  if (infinitePower && trusted && invitees.length > 0) {
    createContent.additional_creators = invitees;
  }
  const { roomId } = await events.createRoom(creator, version, createContent);
  const send = (type: string, content: JsonObject, stateKey = "") =>
    events.create({ roomId, sender: creator, type, content, stateKey });

  await send("m.room.member", { ...request.creatorProfile, membership: "join" }, creator);
  await send("m.room.power_levels", powerLevels(version, creator, trusted ? invitees : [], preset, request));
  if (request.canonicalAlias) await send("m.room.canonical_alias", { alias: request.canonicalAlias });

  const presetState = PRESETS[preset];
  const initial = new Map<string, { type: string; stateKey: string; content: JsonObject }>();
  const put = (type: string, stateKey: string, content: JsonObject) =>
    initial.set(`${type}\u0000${stateKey}`, { type, stateKey, content });
  put("m.room.join_rules", "", { join_rule: presetState.join_rule });
  put("m.room.history_visibility", "", { history_visibility: presetState.history_visibility });
  put("m.room.guest_access", "", { guest_access: presetState.guest_access });
  // initial_state overrides the preset; name and topic come after it (spec order).
  for (const event of request.initial_state ?? []) put(event.type, event.state_key ?? "", event.content);
  for (const { type, stateKey, content } of initial.values()) await send(type, content, stateKey);
  if (request.name !== undefined) await send("m.room.name", { name: request.name });
  if (request.topic !== undefined) {
    await send("m.room.topic", {
      topic: request.topic,
      "m.topic": { "m.text": [{ body: request.topic, mimetype: "text/plain" }] },
    });
  }
  for (const invitee of invitees) {
    const content: JsonObject = { membership: "invite" };
    if (request.is_direct) content.is_direct = true;
    await send("m.room.member", content, invitee);
  }
  return roomId;
}

function powerLevels(
  version: RoomVersion,
  creator: string,
  trustedInvitees: string[],
  preset: Preset,
  request: CreateRoomRequest,
): JsonObject {
  const users: JsonObject = {};
  // In room version 12 creators have unlimited power and must not be listed in `users`.
  if (!version.authorization.creatorsHaveInfinitePower) {
    users[creator] = 100;
    for (const invitee of trustedInvitees) users[invitee] = 100;
  }
  const content: JsonObject = {
    users,
    users_default: 0,
    events: {
      "m.room.name": 50,
      "m.room.power_levels": 100,
      "m.room.history_visibility": 100,
      "m.room.canonical_alias": 50,
      "m.room.avatar": 50,
      "m.room.tombstone": version.authorization.creatorsHaveInfinitePower ? 150 : 100,
      "m.room.server_acl": 100,
      "m.room.encryption": 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    // In private rooms every member may invite, as in Synapse.
    invite: preset === "public_chat" ? 50 : 0,
    historical: 100,
    notifications: { room: 50 },
  };
  return { ...content, ...request.power_level_content_override };
}
