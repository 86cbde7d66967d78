/**
 * Dehydrated devices (MSC3814, unstable prefix `org.matrix.msc3814.v1`): a device whose private keys
 * the client stores on the server encrypted (`device_data`, opaque to the server), so that
 * to-device messages — room keys above all — reach the user while none of their devices is online.
 * A new login rehydrates it: reads the messages it received, then replaces it with a fresh one.
 *
 * The dehydrated device is an ordinary device row without access tokens, so /sendToDevice (`*`
 * included) and /keys/query treat it like any other device.
 */
import type { Clock } from "../../ports/clock.js";
import type { DehydratedDeviceRepository } from "../../ports/store/e2ee-keys.js";
import type { ToDeviceRepository } from "../../ports/store/to-device.js";
import type { JsonObject } from "../../protocol/json.js";
import { randomAlphanumeric } from "../../protocol/random.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, notFound } from "../errors.js";
import type { DeviceKeys, KeysUpload } from "./device-keys.js";
import type { DeviceLists } from "./device-lists.js";

/** Messages per `/events` batch. */
export const DEHYDRATED_EVENTS_BATCH = 100;

export interface DehydratedDevicePut extends KeysUpload {
  device_id?: string | undefined;
  device_data: JsonObject;
  initial_device_display_name?: string | undefined;
}

export class DehydratedDevices {
  constructor(
    private readonly devices: DehydratedDeviceRepository,
    private readonly inbox: ToDeviceRepository,
    private readonly keys: DeviceKeys,
    private readonly deviceLists: DeviceLists,
    private readonly clock: Clock,
  ) {}

  /** `PUT /dehydrated_device`: replaces the user's dehydrated device; keys in the same request are
   * uploaded for it (MSC3814: "device_keys, one_time_keys, fallback_keys" as in /keys/upload). */
  async put(requester: Requester, body: DehydratedDevicePut): Promise<{ device_id: string }> {
    const deviceId = body.device_id ?? randomAlphanumeric(10);
    // The Rust SDK names the device by its curve25519 key (base64 with `+` and `/`): device IDs are
    // opaque strings, so only their length and control characters are checked.
    if (deviceId.length === 0 || deviceId.length > 255 || /\p{Cc}/u.test(deviceId)) {
      throw invalidParam("Invalid device_id");
    }
    if (deviceId === requester.deviceId)
      throw invalidParam("The dehydrated device cannot be the requesting device");
    const put = await this.devices.put(
      requester.userId,
      { deviceId, deviceData: body.device_data },
      body.initial_device_display_name ?? null,
      this.clock.now(),
    );
    if (!put) throw invalidParam(`Device ${deviceId} already exists`);
    const { device_keys, one_time_keys, fallback_keys } = body;
    if (device_keys || one_time_keys || fallback_keys) {
      await this.keys.upload(requester.userId, deviceId, { device_keys, one_time_keys, fallback_keys });
    } else if (put.replaced !== null) {
      await this.deviceLists.record([requester.userId]);
    }
    return { device_id: deviceId };
  }

  async get(requester: Requester): Promise<{ device_id: string; device_data: JsonObject }> {
    const device = await this.devices.get(requester.userId);
    if (!device) throw notFound("No dehydrated device");
    return { device_id: device.deviceId, device_data: device.deviceData };
  }

  async delete(requester: Requester): Promise<{ device_id: string }> {
    const deviceId = await this.devices.delete(requester.userId);
    if (deviceId === undefined) throw notFound("No dehydrated device");
    await this.deviceLists.record([requester.userId]);
    return { device_id: deviceId };
  }

  /**
   * `POST /dehydrated_device/{deviceId}/events`: the dehydrated device's to-device messages, a batch
   * at a time. Asking for the batch after `nextBatch` acknowledges (deletes) the ones before it.
   */
  async events(
    requester: Requester,
    deviceId: string,
    nextBatch: string | undefined,
  ): Promise<{ events: JsonObject[]; next_batch: string }> {
    const device = await this.devices.get(requester.userId);
    if (!device || device.deviceId !== deviceId)
      throw forbidden("You may only fetch messages for your dehydrated device");
    let after = 0;
    if (nextBatch !== undefined) {
      if (!/^[0-9]{1,15}$/.test(nextBatch)) throw invalidParam("Invalid next_batch");
      after = Number(nextBatch);
      await this.inbox.acknowledge(requester.userId, deviceId, after);
    }
    const messages = await this.inbox.pending(
      requester.userId,
      deviceId,
      after,
      Number.MAX_SAFE_INTEGER,
      DEHYDRATED_EVENTS_BATCH,
    );
    const last = messages.at(-1);
    return {
      events: messages.map((m) => ({ sender: m.sender, type: m.type, content: m.content })),
      next_batch: String(last ? last.streamId : after),
    };
  }
}
