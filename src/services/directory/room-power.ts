/**
 * The power levels in force in a room now, for the directory's permission checks: who may publish a
 * room, delete an alias, or upgrade a room (each "has the power to send" some state event).
 */
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { Pdu } from "../../protocol/pdu.js";
import { canDo, type PowerLevels, powerLevelsFrom } from "../../protocol/power-levels.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";

export interface CurrentPower {
  levels: PowerLevels;
  /** The current `m.room.power_levels` event, if the room has one. */
  powerLevels: Pdu | undefined;
  create: Pdu | undefined;
}

export async function currentPower(
  rooms: RoomRepository,
  versions: RoomVersionCache,
  roomId: string,
): Promise<CurrentPower> {
  const version = await versions.get(roomId);
  const state = await rooms.currentState(roomId, [
    ["m.room.power_levels", ""],
    ["m.room.create", ""],
  ]);
  const powerLevels = state.find((e) => e.pdu.type === "m.room.power_levels")?.pdu;
  const create = state.find((e) => e.pdu.type === "m.room.create")?.pdu;
  return { levels: powerLevelsFrom(powerLevels, create, version.authorization), powerLevels, create };
}

/** Whether the user's level reaches the level needed to send this state event type. */
export async function maySendState(
  rooms: RoomRepository,
  versions: RoomVersionCache,
  roomId: string,
  userId: string,
  type: string,
): Promise<boolean> {
  const { levels } = await currentPower(rooms, versions, roomId);
  return canDo(levels, userId, { event: type, state: true });
}

/** The user's membership in the room now ("leave" when there is none). */
export async function membershipOf(rooms: RoomRepository, roomId: string, userId: string): Promise<string> {
  const [member] = await rooms.currentState(roomId, [["m.room.member", userId]]);
  const value = member?.pdu.content.membership;
  return typeof value === "string" ? value : "leave";
}
