/**
 * Send-to-device messaging (spec: client-server-api "Send-to-Device messaging"):
 * `PUT /sendToDevice/{eventType}/{txnId}` puts each message in the target device's inbox; the device
 * gets it in /sync and it is deleted once the device syncs past it (to-device-source.ts).
 */
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { ToDeviceRepository } from "../../ports/store/to-device.js";
import { parseUserId } from "../../protocol/identifiers.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { invalidParam } from "../errors.js";

export const TO_DEVICE_STREAM = "to_device";

/** Target user → device ID or `*` → content. */
export type ToDeviceMessages = Record<string, Record<string, JsonObject>>;

/** Hands messages for users of other servers to federation (an `m.direct_to_device` EDU). */
export type RemoteToDevice = (
  sender: string,
  type: string,
  messageId: string,
  messages: ToDeviceMessages,
) => Promise<void>;

export class ToDevice {
  constructor(
    private readonly inbox: ToDeviceRepository,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly serverName: string,
    /** Until federation sends EDUs, messages to remote users are dropped here. */
    private readonly remote: RemoteToDevice | undefined = undefined,
  ) {}

  async send(requester: Requester, type: string, txnId: string, messages: ToDeviceMessages): Promise<void> {
    const local: ToDeviceMessages = {};
    const remote: ToDeviceMessages = {};
    for (const [userId, byDevice] of Object.entries(messages)) {
      const parsed = parseUserId(userId);
      if (!parsed) throw invalidParam(`Invalid user ID in messages: ${userId.slice(0, 255)}`);
      (parsed.serverName === this.serverName ? local : remote)[userId] = byDevice;
    }
    const sent = await this.inbox.send({
      sender: requester.userId,
      senderDeviceId: requester.deviceId,
      txnId,
      type,
      messages: local,
      nowTs: this.clock.now(),
    });
    // A repeated transaction was delivered the first time, locally and remotely.
    if (!sent) return;
    if (sent.userIds.length > 0) {
      this.notifier.notify({ stream: TO_DEVICE_STREAM, position: sent.position, userIds: sent.userIds });
    }
    if (Object.keys(remote).length > 0 && this.remote) {
      await this.remote(requester.userId, type, `${requester.deviceId}/${txnId}`, remote);
    }
  }
}
