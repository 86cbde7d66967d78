/**
 * Who may learn about a room without being in it: the rules of the space hierarchy
 * (data/api/client-server/space_hierarchy.yaml, `rooms`) that room summaries share (MSC3266): the
 * requester is joined or invited, the room is public, knockable or world readable, or it is restricted
 * and the requester is joined to one of the rooms its join rules allow.
 */
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { allowedRoomIds } from "./room-description.js";

export interface AccessState {
  /** The requester's membership ("leave" without one; undefined when unauthenticated). */
  membership: string | undefined;
  historyVisibility: string;
  joinRule: string;
  joinRules: JsonObject | undefined;
}

export async function accessState(
  rooms: RoomRepository,
  roomId: string,
  userId: string | undefined,
): Promise<AccessState> {
  const keys: Array<[string, string]> = [
    ["m.room.history_visibility", ""],
    ["m.room.join_rules", ""],
  ];
  if (userId) keys.push(["m.room.member", userId]);
  const state = await rooms.currentState(roomId, keys);
  const of = (type: string) => state.find((e) => e.pdu.type === type)?.pdu.content;
  const joinRules = of("m.room.join_rules");
  const membership = of("m.room.member")?.membership;
  return {
    membership: userId ? (typeof membership === "string" ? membership : "leave") : undefined,
    // "shared" is the default without an m.room.history_visibility event.
    historyVisibility: String(of("m.room.history_visibility")?.history_visibility ?? "shared"),
    joinRule: String(joinRules?.join_rule ?? "invite"),
    joinRules,
  };
}

export class RoomAccess {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
  ) {}

  /** Whether the requester (undefined: unauthenticated) may see the room's summary; 404 for rooms
   * this server does not know. */
  async maySee(
    roomId: string,
    userId: string | undefined,
  ): Promise<{ allowed: boolean; state: AccessState }> {
    const version = await this.versions.get(roomId);
    const state = await accessState(this.rooms, roomId, userId);
    const rules = version.authorization;
    const openRule =
      state.joinRule === "public" ||
      (rules.knocking && state.joinRule === "knock") ||
      (rules.knockRestrictedJoinRule && state.joinRule === "knock_restricted");
    if (openRule || state.historyVisibility === "world_readable") return { allowed: true, state };
    if (!userId) return { allowed: false, state };
    if (state.membership === "join" || state.membership === "invite") return { allowed: true, state };
    if (rules.restrictedJoins && (state.joinRule === "restricted" || state.joinRule === "knock_restricted")) {
      for (const allowedRoom of allowedRoomIds(state.joinRules)) {
        const [member] = await this.rooms.currentState(allowedRoom, [["m.room.member", userId]]);
        if (member?.pdu.content.membership === "join") return { allowed: true, state };
      }
    }
    return { allowed: false, state };
  }
}
