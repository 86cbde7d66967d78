/**
 * Send-to-device messages (spec: client-server-api "Send-to-Device messaging"): each device's inbox,
 * kept until the device acknowledges it by syncing past it. Each send moves the `to_device` stream.
 */
import type { JsonObject } from "../../protocol/json.js";

export interface ToDeviceSend {
  sender: string;
  senderDeviceId: string;
  /** The client's transaction ID: a repeated (sender, device, txnId) delivers nothing again. */
  txnId: string;
  type: string;
  /** Target user → device ID (or `*` for every device of the user) → content. Local users only. */
  messages: Record<string, Record<string, JsonObject>>;
  nowTs: number;
}

export interface ToDeviceMessage {
  sender: string;
  type: string;
  content: JsonObject;
  /** Position on the to_device stream. */
  streamId: number;
}

export interface ToDeviceRepository {
  /**
   * Puts the messages in the inboxes of the targets' existing devices (`*` expands to all of a
   * user's devices; a device named next to `*` gets its own content) in one unit of work. Returns the
   * stream position and the users whose inboxes received something, or undefined when this
   * transaction was already sent.
   */
  send(send: ToDeviceSend): Promise<{ position: number; userIds: string[] } | undefined>;
  /** The device's messages in (after, upTo], oldest first, at most `limit`. */
  pending(
    userId: string,
    deviceId: string,
    after: number,
    upTo: number,
    limit: number,
  ): Promise<ToDeviceMessage[]>;
  /** Deletes the device's messages up to and including `upTo` (the device has acknowledged them). */
  acknowledge(userId: string, deviceId: string, upTo: number): Promise<void>;
}
