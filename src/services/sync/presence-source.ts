/**
 * The `presence` section of /sync (spec: client-server-api "Presence"): `m.presence` of the users
 * who share a joined room with the syncing user, and of the user themselves, when it changed since
 * the token. Users who newly share a room (a room new to the client, someone joining in the
 * timeline) are shown with their current presence.
 */
import type { Clock } from "../../ports/clock.js";
import type { StreamChange } from "../../ports/notifier.js";
import type { PresenceRepository, StoredPresence } from "../../ports/store/presence.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import { PRESENCE_STREAM, presenceContent } from "../presence/presence.js";
import { matchesFilter } from "../rooms/room-reader.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

export class PresenceSyncSource implements SyncSource {
  readonly key = "pr";
  readonly stream = PRESENCE_STREAM;

  constructor(
    private readonly presence: PresenceRepository,
    private readonly rooms: RoomRepository,
    private readonly streams: StreamRepository,
    private readonly clock: Clock,
    private readonly enabled: boolean,
  ) {}

  current(): Promise<number> {
    return this.streams.current(this.stream);
  }

  /** Presence changes name everyone who shares a room with the user in `userIds`. */
  concerns(change: StreamChange, userId: string): boolean {
    return this.enabled && !!change.userIds?.includes(userId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    if (!this.enabled) return;
    const userId = request.requester.userId;
    const since = request.since?.[this.key];
    const now = request.now[this.key] as number;
    const shown = new Map<string, StoredPresence>();
    if (since === undefined) {
      const peers = await this.members(request.joinedRoomIds);
      peers.add(userId);
      for (const p of await this.presence.changedSince(0, [...peers])) shown.set(p.userId, p);
    } else {
      if (since < now) {
        const visible = new Map<string, boolean>([[userId, true]]);
        for (const p of await this.presence.changedSince(since)) {
          if (!visible.has(p.userId))
            visible.set(p.userId, await this.sharesRoom(p.userId, request.joinedRoomIds));
          if (visible.get(p.userId)) shown.set(p.userId, p);
        }
      }
      const newPeers = await this.members(request.newlyJoinedRoomIds);
      for (const [roomId, room] of Object.entries(response.rooms.join)) {
        if (request.newlyJoinedRoomIds.has(roomId)) continue;
        for (const e of room.timeline?.events ?? []) {
          if (
            e.type === "m.room.member" &&
            e.content.membership === "join" &&
            typeof e.state_key === "string"
          ) {
            newPeers.add(e.state_key);
          }
        }
      }
      for (const p of shown.keys()) newPeers.delete(p);
      if (newPeers.size > 0)
        for (const p of await this.presence.changedSince(0, [...newPeers])) shown.set(p.userId, p);
    }
    const nowTs = this.clock.now();
    const filter = request.filter.presence;
    for (const p of [...shown.values()].sort((a, b) => a.streamId - b.streamId)) {
      if (p.streamId > now) continue;
      if (!matchesFilter({ type: "m.presence", sender: p.userId }, filter)) continue;
      response.presence.events.push({
        type: "m.presence",
        sender: p.userId,
        content: presenceContent(p, nowTs),
      });
    }
  }

  /** The joined members of the rooms, in one read for all of them. */
  private async members(roomIds: ReadonlySet<string>): Promise<Set<string>> {
    const users = new Set<string>();
    if (roomIds.size === 0) return users;
    for (const m of await this.rooms.membershipsInRooms([...roomIds]))
      if (m.membership === "join") users.add(m.userId);
    return users;
  }

  private async sharesRoom(userId: string, joinedRoomIds: ReadonlySet<string>): Promise<boolean> {
    return (await this.rooms.membershipsOf(userId)).some(
      (m) => m.membership === "join" && joinedRoomIds.has(m.roomId),
    );
  }
}
