/** Device management (spec: client-server-api "Device management"): list, rename and delete the
 * requester's own devices. */
import type { DeviceRecord, DeviceRepository } from "../../ports/store/devices.js";
import type { Requester } from "../accounts/authenticate.js";
import { notFound } from "../errors.js";

/** The shape of `definitions/client_device.yaml`: fields the server does not know are absent. */
export interface ClientDevice {
  device_id: string;
  display_name?: string;
  last_seen_ip?: string;
  last_seen_ts?: number;
}

/** Re-asks for the user's password (user-interactive auth); throws the 401 challenge until done. */
export type ConfirmIdentity = (requester: Requester, auth: unknown, operation: string) => Promise<void>;

/** What end-to-end encryption needs to hear about devices: both are device list changes. */
export interface DeviceHooks {
  /** After deletion: the devices' keys go too. */
  deleted(userId: string, deviceIds: string[]): Promise<void>;
  /** After a rename: /keys/query shows the display name. */
  renamed(userId: string, deviceId: string): Promise<void>;
}

export class Devices {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly confirmIdentity: ConfirmIdentity,
    private readonly hooks?: DeviceHooks,
  ) {}

  async list(requester: Requester): Promise<ClientDevice[]> {
    return (await this.devices.list(requester.userId)).map(toClientDevice);
  }

  async get(requester: Requester, deviceId: string): Promise<ClientDevice> {
    const device = await this.devices.get(requester.userId, deviceId);
    if (!device) throw notFound("Unknown device");
    return toClientDevice(device);
  }

  /**
   * `PUT /devices/{deviceId}`. Only application services may create devices this way (spec v1.17);
   * for everyone else an unknown device is 404. An absent display name leaves the name unchanged.
   */
  async update(requester: Requester, deviceId: string, displayName: string | undefined): Promise<void> {
    if (displayName === undefined) {
      if (!(await this.devices.get(requester.userId, deviceId))) throw notFound("Unknown device");
      return;
    }
    if (!(await this.devices.setDisplayName(requester.userId, deviceId, displayName))) {
      throw notFound("Unknown device");
    }
    await this.hooks?.renamed(requester.userId, deviceId);
  }

  /**
   * `DELETE /devices/{deviceId}` and `POST /delete_devices`: after the user re-enters their password,
   * deletes the devices with their access and refresh tokens. Devices that do not exist count as
   * deleted (spec: "successfully removed, or had been removed previously").
   */
  async delete(requester: Requester, deviceIds: string[], auth: unknown): Promise<void> {
    const unique = [...new Set(deviceIds)].sort();
    // The UIA session is bound to the exact set of devices, so a password confirmed for deleting one
    // device cannot be replayed to delete another.
    await this.confirmIdentity(requester, auth, `delete_devices:${JSON.stringify(unique)}`);
    await this.devices.delete(requester.userId, unique);
    await this.hooks?.deleted(requester.userId, unique);
  }
}

function toClientDevice(device: DeviceRecord): ClientDevice {
  const out: ClientDevice = { device_id: device.deviceId };
  if (device.displayName !== null) out.display_name = device.displayName;
  if (device.lastSeenIp !== null && device.lastSeenIp !== "") out.last_seen_ip = device.lastSeenIp;
  if (device.lastSeenTs !== null) out.last_seen_ts = device.lastSeenTs;
  return out;
}
