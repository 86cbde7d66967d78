/** `m.typing` in each joined room's ephemeral events (spec: client-server-api "Typing
 * Notifications"): the room's whole typing set, whenever it changed since the token. */
import type { StreamChange } from "../../ports/notifier.js";
import { TYPING_STREAM, type Typing } from "../typing/typing.js";
import { addEphemeral, wantsEphemeral } from "./ephemeral.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

export class TypingSyncSource implements SyncSource {
  readonly key = "t";
  readonly stream = TYPING_STREAM;

  constructor(private readonly typing: Typing) {}

  current(): Promise<number> {
    return Promise.resolve(this.typing.current());
  }

  concerns(change: StreamChange, _userId: string, joinedRoomIds: ReadonlySet<string>): boolean {
    return change.roomId !== undefined && joinedRoomIds.has(change.roomId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const since = request.since === undefined ? undefined : (request.since[this.key] ?? 0);
    const rooms = [...request.joinedRoomIds].filter((r) => wantsEphemeral(request, r, "m.typing"));
    const fresh = rooms.filter((r) => request.newlyJoinedRoomIds.has(r));
    const old = rooms.filter((r) => !request.newlyJoinedRoomIds.has(r));
    // A room new to the client gets its current set; the others what changed.
    for (const { roomId, userIds } of [
      ...this.typing.changedSince(fresh, undefined),
      ...this.typing.changedSince(old, since),
    ]) {
      addEphemeral(response, roomId, { type: "m.typing", content: { user_ids: userIds } });
    }
  }
}
