/**
 * `m.receipt` in each joined room's ephemeral events (spec: client-server-api "Receipts"): the
 * receipts written since the token, all current ones for rooms new to the client. `m.read.private`
 * receipts go only to their owner.
 */
import type { StreamChange } from "../../ports/notifier.js";
import type { ReceiptRepository, StoredReceipt } from "../../ports/store/receipts.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import type { JsonObject } from "../../protocol/json.js";
import { addEphemeral, wantsEphemeral } from "./ephemeral.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

export class ReceiptsSyncSource implements SyncSource {
  readonly key = "r";
  readonly stream = "receipts";

  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly streams: StreamRepository,
  ) {}

  current(): Promise<number> {
    // Through the stream repository, which reads every stream of a sync in one statement.
    return this.streams.current(this.stream);
  }

  /** Public receipts concern every member; a private one carries its owner in `userIds`. */
  concerns(change: StreamChange, userId: string, joinedRoomIds: ReadonlySet<string>): boolean {
    return (
      change.roomId !== undefined &&
      joinedRoomIds.has(change.roomId) &&
      (change.userIds === undefined || change.userIds.includes(userId))
    );
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const since = request.since?.[this.key] ?? 0;
    const now = request.now[this.key] as number;
    const rooms = [...request.joinedRoomIds].filter((r) => wantsEphemeral(request, r, "m.receipt"));
    const fresh = rooms.filter((r) => request.newlyJoinedRoomIds.has(r) || request.fullState);
    const old = rooms.filter((r) => !fresh.includes(r));
    const receipts = [
      ...(await this.receipts.changedSince(fresh, 0)),
      ...(since < now ? await this.receipts.changedSince(old, since) : []),
    ];
    const byRoom = new Map<string, JsonObject>();
    for (const r of receipts) {
      if (r.streamId > now) continue;
      if (r.receiptType === "m.read.private" && r.userId !== request.requester.userId) continue;
      let content = byRoom.get(r.roomId);
      if (!content) {
        content = {};
        byRoom.set(r.roomId, content);
      }
      addReceipt(content, r);
    }
    for (const [roomId, content] of byRoom) addEphemeral(response, roomId, { type: "m.receipt", content });
  }
}

/** `{eventId: {receiptType: {userId: {ts, thread_id?}}}}` (event-schemas m.receipt). */
function addReceipt(content: JsonObject, r: StoredReceipt): void {
  const byType = (content[r.eventId] ?? {}) as JsonObject;
  content[r.eventId] = byType;
  const byUser = (byType[r.receiptType] ?? {}) as JsonObject;
  byType[r.receiptType] = byUser;
  byUser[r.userId] = r.threadId === undefined ? { ts: r.ts } : { ts: r.ts, thread_id: r.threadId };
}
