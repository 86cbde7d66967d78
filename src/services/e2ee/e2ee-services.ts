/** The end-to-end encryption services, built from the ports they use. */
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { Store } from "../../ports/store.js";
import type { ConfirmIdentity } from "../devices/devices.js";
import { CrossSigning } from "./cross-signing.js";
import { DehydratedDevices } from "./dehydrated-devices.js";
import { DeviceKeys } from "./device-keys.js";
import { DeviceLists } from "./device-lists.js";
import { KeyBackup } from "./key-backup.js";

export interface E2eeServices {
  deviceKeys: DeviceKeys;
  deviceLists: DeviceLists;
  crossSigning: CrossSigning;
  keyBackup: KeyBackup;
  dehydratedDevices: DehydratedDevices;
}

export function createE2eeServices(
  store: Store,
  notifier: Notifier,
  clock: Clock,
  serverName: string,
  confirmIdentity: ConfirmIdentity,
): E2eeServices {
  const deviceLists = new DeviceLists(store.e2eeKeys, store.rooms, notifier);
  const deviceKeys = new DeviceKeys(store.e2eeKeys, deviceLists, serverName);
  return {
    deviceKeys,
    deviceLists,
    crossSigning: new CrossSigning(store.e2eeKeys, deviceLists, confirmIdentity),
    keyBackup: new KeyBackup(store.keyBackup),
    dehydratedDevices: new DehydratedDevices(
      store.dehydratedDevices,
      store.toDevice,
      deviceKeys,
      deviceLists,
      clock,
    ),
  };
}
