/**
 * The Store port: everything the services persist. Each repository method is one atomic unit of
 * work; adapters (SQLite, PostgreSQL, D1) make it atomic their own way. Services never see SQL or
 * transactions.
 */
import type { AccountDataRepository } from "./store/account-data.js";
import type { DeviceRepository } from "./store/devices.js";
import type { DirectoryRepository } from "./store/directory.js";
import type { DehydratedDeviceRepository, E2eeKeyRepository } from "./store/e2ee-keys.js";
import type { FilterRepository } from "./store/filters.js";
import type { KeyBackupRepository } from "./store/key-backup.js";
import type { KeyValueRepository } from "./store/key-value.js";
import type { MediaRepository } from "./store/media.js";
import type { PresenceRepository } from "./store/presence.js";
import type { PushActionRepository, PusherRepository, PushRuleRepository } from "./store/push.js";
import type { ReceiptRepository } from "./store/receipts.js";
import type { RegistrationTokenRepository } from "./store/registration-tokens.js";
import type { RoomRepository } from "./store/rooms.js";
import type { SearchRepository } from "./store/search.js";
import type { ServerKeyRepository } from "./store/server-keys.js";
import type { StreamRepository } from "./store/streams.js";
import type { ToDeviceRepository } from "./store/to-device.js";
import type { UserDirectoryRepository } from "./store/user-directory.js";
import type { UserRepository } from "./store/users.js";

export interface Store {
  users: UserRepository;
  userDirectory: UserDirectoryRepository;
  devices: DeviceRepository;
  accountData: AccountDataRepository;
  filters: FilterRepository;
  registrationTokens: RegistrationTokenRepository;
  serverKeys: ServerKeyRepository;
  keyValue: KeyValueRepository;
  media: MediaRepository;
  rooms: RoomRepository;
  search: SearchRepository;
  receipts: ReceiptRepository;
  presence: PresenceRepository;
  toDevice: ToDeviceRepository;
  directory: DirectoryRepository;
  streams: StreamRepository;
  pushRules: PushRuleRepository;
  pushers: PusherRepository;
  pushActions: PushActionRepository;
  /** Database statements run since start: exposed on /metrics, and how tests prove an idle
   * long-poll costs no queries. */
  queryCount(): number;
  e2eeKeys: E2eeKeyRepository;
  dehydratedDevices: DehydratedDeviceRepository;
  keyBackup: KeyBackupRepository;
  close(): Promise<void>;
}
