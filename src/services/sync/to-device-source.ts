/**
 * `to_device.events` of /sync (spec: client-server-api "Send-to-Device messaging"): the messages in
 * this device's inbox after the token, oldest first, at most MAX_PER_SYNC per response (the next
 * token then points at the last one given, so the rest come at once in the next sync). A sync with a
 * token acknowledges everything up to it: those messages are deleted. A client that retries with an
 * older token gets the messages after that token again, so none is lost and none is seen twice by a
 * client that moves forwards.
 */
import type { StreamChange } from "../../ports/notifier.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import type { ToDeviceRepository } from "../../ports/store/to-device.js";
import { TO_DEVICE_STREAM } from "../to-device/to-device.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

export const MAX_TO_DEVICE_PER_SYNC = 100;

export class ToDeviceSyncSource implements SyncSource {
  readonly key = "td";
  readonly stream = TO_DEVICE_STREAM;

  /** Per device (this process), the token position up to which its inbox was last acknowledged. */
  private readonly acknowledged = new Map<string, number>();

  constructor(
    private readonly inbox: ToDeviceRepository,
    private readonly streams: StreamRepository,
    private readonly limit = MAX_TO_DEVICE_PER_SYNC,
  ) {}

  current(): Promise<number> {
    return this.streams.current(this.stream);
  }

  /** Sends name their target users. */
  concerns(change: StreamChange, userId: string): boolean {
    return !!change.userIds?.includes(userId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const { userId, deviceId } = request.requester;
    const since = request.since?.[this.key] ?? 0;
    const now = request.now[this.key] as number;
    const device = `${userId}\u0000${deviceId}`;
    if (since > (this.acknowledged.get(device) ?? 0)) {
      await this.inbox.acknowledge(userId, deviceId, since);
      // Positions are handed out in commit order, so nothing at or below `since` can arrive later:
      // the next sync with the same token has nothing to delete.
      this.acknowledged.set(device, since);
    }
    // No message for anyone after the token: nothing to read.
    if (since >= now) return;
    const messages = await this.inbox.pending(userId, deviceId, since, now, this.limit);
    for (const m of messages)
      response.to_device.events.push({ sender: m.sender, type: m.type, content: m.content });
    const last = messages.at(-1);
    if (messages.length === this.limit && last) request.next[this.key] = last.streamId;
  }
}
