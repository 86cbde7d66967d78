/** Global and per-room account data in /sync (spec: client-server-api "Client Config"). */
import type { StreamChange } from "../../ports/notifier.js";
import type { AccountDataRepository } from "../../ports/store/account-data.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import { matchesFilter } from "../rooms/room-reader.js";
import { joinedRoom, type SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

export class AccountDataSyncSource implements SyncSource {
  readonly key = "a";
  readonly stream = "account_data";

  constructor(
    private readonly accountData: AccountDataRepository,
    private readonly streams: StreamRepository,
  ) {}

  current(): Promise<number> {
    return this.streams.current(this.stream);
  }

  concerns(change: StreamChange, userId: string): boolean {
    return !!change.userIds?.includes(userId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const since = request.since?.[this.key] ?? 0;
    const now = request.now[this.key] as number;
    // Nobody's account data changed after the token: nothing to read.
    if (request.since !== undefined && since >= now) return;
    const entries = await this.accountData.changedSince(request.requester.userId, since);
    const globalFilter = request.filter.account_data;
    const roomFilter = request.filter.room?.account_data;
    for (const entry of entries) {
      if (entry.streamId > now) continue;
      const event = { type: entry.type, content: entry.content };
      const typed = { type: entry.type, sender: request.requester.userId };
      if (entry.roomId === "") {
        if (matchesFilter(typed, globalFilter)) response.account_data.events.push(event);
      } else if (request.joinedRoomIds.has(entry.roomId) && matchesFilter(typed, roomFilter)) {
        const room = joinedRoom(response, entry.roomId);
        room.account_data ??= { events: [] };
        room.account_data.events.push(event);
      }
    }
  }
}
