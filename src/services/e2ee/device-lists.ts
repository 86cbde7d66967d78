/**
 * Device list tracking (spec: client-server-api "Tracking the device list for a user"). Every change
 * to a user's devices or keys is a position on the `device_lists` stream; a syncing user is told
 * about the changes of everyone they share a room with (`changed`), about users they newly share a
 * room with (their keys may be unknown to the client), and about users they no longer share any room
 * with (`left`, so the client can stop tracking them).
 */
import type { Notifier } from "../../ports/notifier.js";
import type { E2eeKeyRepository } from "../../ports/store/e2ee-keys.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import { decodeSyncToken } from "../sync/sync-token.js";

export const DEVICE_LISTS_STREAM = "device_lists";

/** Positions on the events stream (`e`) and on the device_lists stream (`dl`). */
export interface DeviceListWindow {
  fromEvents: number;
  toEvents: number;
  fromDeviceLists: number;
  toDeviceLists: number;
}

export class DeviceLists {
  constructor(
    private readonly keys: E2eeKeyRepository,
    private readonly rooms: RoomRepository,
    private readonly notifier: Notifier,
  ) {}

  /** Wakes the long-polls of the users themselves and everyone sharing a room with them. */
  async notify(userIds: string[], position: number): Promise<void> {
    const concerned = new Set(userIds);
    for (const userId of userIds) {
      for (const roomId of joinedRooms(await this.rooms.membershipsOf(userId))) {
        for (const m of await this.rooms.members(roomId, "join")) concerned.add(m.userId);
      }
    }
    this.notifier.notify({ stream: DEVICE_LISTS_STREAM, position, userIds: [...concerned] });
  }

  /** Records a change (a device renamed, say) and wakes whoever it concerns. */
  async record(userIds: string[]): Promise<void> {
    await this.notify(userIds, await this.keys.recordDeviceListChange(userIds));
  }

  /** `GET /keys/changes?from&to`: the same as sync reports between two sync tokens. */
  async changesBetween(
    userId: string,
    from: string,
    to: string,
  ): Promise<{ changed: string[]; left: string[] }> {
    const f = decodeSyncToken(from);
    const t = decodeSyncToken(to);
    const joined = new Set(joinedRooms(await this.rooms.membershipsOf(userId)));
    return this.changes(userId, joined, {
      fromEvents: f.e ?? 0,
      toEvents: t.e ?? 0,
      fromDeviceLists: f.dl ?? 0,
      toDeviceLists: t.dl ?? 0,
    });
  }

  /**
   * `changed` and `left` for `userId` between two token positions. `joinedRoomIds` are the user's
   * joined rooms at the end of the window. The cost follows the membership changes in the window,
   * not the number of rooms the user is in.
   */
  async changes(
    userId: string,
    joinedRoomIds: ReadonlySet<string>,
    w: DeviceListWindow,
  ): Promise<{ changed: string[]; left: string[] }> {
    const changed = new Set<string>();
    const leftCandidates = new Set<string>();
    const sharesRoom = new Map<string, boolean>([[userId, true]]);
    const shares = async (other: string) => {
      let result = sharesRoom.get(other);
      if (result === undefined) {
        result = joinedRooms(await this.rooms.membershipsOf(other)).some((r) => joinedRoomIds.has(r));
        sharesRoom.set(other, result);
      }
      return result;
    };

    // Keys that changed, of users the client shares a room with (and of the user's own devices).
    for (const other of await this.keys.deviceListChanges(w.fromDeviceLists, w.toDeviceLists)) {
      if (await shares(other)) changed.add(other);
    }

    if (w.toEvents > w.fromEvents) {
      // One indexed read of the memberships that changed in the window, whatever the number of rooms.
      const moved = await this.keys.membershipChanges(w.fromEvents, w.toEvents);
      for (const m of moved) {
        if (m.userId === userId) {
          if (m.membership === "join" && joinedRoomIds.has(m.roomId)) {
            // Newly sharing this room with all its members: their keys may be new to the client.
            for (const other of await this.rooms.members(m.roomId, "join")) {
              if (other.userId !== userId) changed.add(other.userId);
            }
          } else if (m.membership !== "join") {
            // The user left this room: its members may now share nothing with them.
            for (const other of await this.rooms.members(m.roomId, "join")) {
              if (other.userId !== userId) leftCandidates.add(other.userId);
            }
          }
        } else if (joinedRoomIds.has(m.roomId)) {
          if (m.membership === "join") changed.add(m.userId);
          else leftCandidates.add(m.userId);
        }
      }
    }

    const left: string[] = [];
    for (const other of leftCandidates) {
      if (!(await shares(other))) {
        left.push(other);
        changed.delete(other);
      }
    }
    return { changed: [...changed].sort(), left: left.sort() };
  }
}

function joinedRooms(memberships: Array<{ roomId: string; membership: string }>): string[] {
  return memberships.filter((m) => m.membership === "join").map((m) => m.roomId);
}
