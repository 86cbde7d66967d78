/**
 * Builds every service from the ports. Shared by the runtimes (Node, Workers) so the wiring exists
 * once; each service still receives only the ports it uses.
 */
import type { Clock } from "../ports/clock.js";
import type { Lock } from "../ports/lock.js";
import type { Notifier } from "../ports/notifier.js";
import type { PasswordHasher } from "../ports/password-hasher.js";
import type { Store } from "../ports/store.js";
import { AccountData } from "./account-data/account-data.js";
import { AccountManagement } from "./accounts/account-management.js";
import { Authenticator, SessionCache } from "./accounts/authenticate.js";
import { Login } from "./accounts/login.js";
import { Registration } from "./accounts/registration.js";
import { SessionIssuer } from "./accounts/sessions.js";
import { SharedSecretRegistration } from "./accounts/shared-secret-registration.js";
import { UserAdmin } from "./accounts/user-admin.js";
import type { ServerConfig } from "./config.js";
import { Devices } from "./devices/devices.js";
import { canonicalAliasCheck } from "./directory/canonical-alias-check.js";
import { createDirectoryServices, type DirectoryServices } from "./directory/directory-services.js";
import { createE2eeServices, type E2eeServices } from "./e2ee/e2ee-services.js";
import { Filters } from "./filters/filters.js";
import { createMediaServices, type MediaPorts, type MediaServices } from "./media/media-services.js";
import { Presence } from "./presence/presence.js";
import { Profiles } from "./profile/profile.js";
import { noPushDelivery } from "./push/dispatch.js";
import { Notifications } from "./push/notifications.js";
import { PushRules } from "./push/push-rules.js";
import { Pushers } from "./push/pushers.js";
import { NotificationRecorder } from "./push/record-notifications.js";
import { RateLimiter } from "./rate-limit/rate-limiter.js";
import { EventCreator } from "./rooms/event-creator.js";
import { Membership } from "./rooms/membership.js";
import { Messages } from "./rooms/messages.js";
import { ProfilePropagation } from "./rooms/profile-propagation.js";
import { Receipts } from "./rooms/receipts.js";
import { Relations } from "./rooms/relations.js";
import { RoomReader } from "./rooms/room-reader.js";
import { RoomVersionCache } from "./rooms/room-version-cache.js";
import { RoomSearch } from "./rooms/search.js";
import { type Ed25519SignerFactory, loadServerSigner, type ServerSigner } from "./server-keys/server-keys.js";
import { AccountDataSyncSource } from "./sync/account-data-source.js";
import { DeviceListsSyncSource } from "./sync/device-lists-source.js";
import { PresenceSyncSource } from "./sync/presence-source.js";
import { PushSyncSource } from "./sync/push-source.js";
import { ReceiptsSyncSource } from "./sync/receipts-source.js";
import { RoomsSyncSource } from "./sync/rooms-source.js";
import { SyncService } from "./sync/sync-service.js";
import { ToDeviceSyncSource } from "./sync/to-device-source.js";
import { TypingSyncSource } from "./sync/typing-source.js";
import { ToDevice } from "./to-device/to-device.js";
import { Typing } from "./typing/typing.js";
import { UserInteractiveAuth } from "./uia/user-interactive-auth.js";
import { UserDirectory } from "./user-directory/user-directory.js";

export interface Ports {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  /** Serialises writes per room. */
  roomLock: Lock;
  notifier: Notifier;
  /** Media bytes, thumbnailing and outbound HTTP; without them (the admin CLI) no media is served. */
  media?: MediaPorts;
  /** The Ed25519 primitive for the server key; WebCrypto unless the runtime has a faster one. */
  ed25519?: Ed25519SignerFactory;
}

export interface Services {
  config: ServerConfig;
  clock: Clock;
  store: Store;
  signer: ServerSigner;
  authenticator: Authenticator;
  sessions: SessionIssuer;
  registration: Registration;
  login: Login;
  accounts: AccountManagement;
  uia: UserInteractiveAuth;
  userAdmin: UserAdmin;
  sharedSecretRegistration: SharedSecretRegistration;
  devices: Devices;
  profiles: Profiles;
  accountData: AccountData;
  filters: Filters;
  userDirectory: UserDirectory;
  /** Room aliases, the published room directory, summaries, spaces, reports and room upgrades. */
  directory: DirectoryServices;
  notifier: Notifier;
  sync: SyncService;
  push: { rules: PushRules; pushers: Pushers; notifications: Notifications };
  /** In-memory typing notifications; `stop()` clears their timers. */
  typing: Typing;
  /** The runtime calls `presence.sweep()` periodically for the idle and offline timeouts. */
  presence: Presence;
  toDevice: ToDevice;
  /** Device keys, device lists, cross-signing, key backup, dehydrated devices. */
  e2ee: E2eeServices;
  media: MediaServices;
  rooms: {
    versions: RoomVersionCache;
    events: EventCreator;
    membership: Membership;
    messages: Messages;
    reader: RoomReader;
    relations: Relations;
    search: RoomSearch;
    receipts: Receipts;
  };
  rateLimits: {
    /** Login attempts per client address. */
    login: RateLimiter;
    /** Registration attempts per client address. */
    register: RateLimiter;
  };
}

export async function createServices(ports: Ports, config: ServerConfig): Promise<Services> {
  const { clock, hasher } = ports;
  // Access tokens are resolved from memory; the store's session-ending writes empty that cache.
  const sessionCache = new SessionCache();
  const store = sessionCache.watching(ports.store);
  const signer = await loadServerSigner(config.serverName, store.serverKeys, clock, ports.ed25519);
  const roomVersions = new RoomVersionCache(store.rooms);
  const pushRules = new PushRules(store.pushRules, ports.notifier, store.streams);
  // Push actions are computed under the room lock and stored with each event (counts exact).
  const recorder = new NotificationRecorder(store.rooms, pushRules, noPushDelivery, config.serverName);
  const eventCreator = new EventCreator(
    store.rooms,
    roomVersions,
    signer,
    clock,
    ports.roomLock,
    ports.notifier,
    [recorder],
  );
  const notifications = new Notifications(store.pushActions, store.rooms, roomVersions, () => clock.now());
  const roomReader = new RoomReader(store.rooms, roomVersions, clock);
  const uia = new UserInteractiveAuth(store.keyValue, clock);
  const sessions = new SessionIssuer(store.devices, clock, config);
  const userAdmin = new UserAdmin(store, hasher, clock, config);
  const accounts = new AccountManagement(store, hasher, config, uia, (userId, deviceIds) =>
    e2ee.deviceKeys.devicesDeleted(userId, deviceIds),
  );
  const confirmIdentity = accounts.confirmIdentity.bind(accounts);
  const e2ee = createE2eeServices(store, ports.notifier, clock, config.serverName, confirmIdentity);
  const presence = new Presence(store.presence, store.rooms, ports.notifier, clock, config.presence);
  const profilePropagation = new ProfilePropagation(store.rooms, eventCreator);
  const typing = new Typing(store.rooms, ports.notifier, clock, (userId) => presence.active(userId));
  return {
    config,
    clock,
    store,
    signer,
    notifier: ports.notifier,
    sync: new SyncService(
      [
        new RoomsSyncSource(store.rooms, roomVersions, clock, store.streams),
        new AccountDataSyncSource(store.accountData, store.streams),
        new TypingSyncSource(typing),
        new ReceiptsSyncSource(store.receipts, store.streams),
        new PresenceSyncSource(store.presence, store.rooms, store.streams, clock, config.presence),
        new ToDeviceSyncSource(store.toDevice, store.streams),
        new DeviceListsSyncSource(e2ee.deviceLists, e2ee.deviceKeys, store.streams),
        // Last: it fills the unread counts of every joined room the others put in the response.
        new PushSyncSource(store.pushRules, pushRules, notifications, store.streams),
      ],
      ports.notifier,
    ),
    push: { rules: pushRules, pushers: new Pushers(store.pushers, clock), notifications },
    typing,
    presence,
    toDevice: new ToDevice(store.toDevice, ports.notifier, clock, config.serverName),
    e2ee,
    rooms: {
      versions: roomVersions,
      events: eventCreator,
      membership: new Membership(eventCreator, store.users, roomVersions, config.serverName),
      messages: new Messages(eventCreator, store.rooms, roomVersions, [
        canonicalAliasCheck(store.rooms, store.directory, config.serverName),
      ]),
      relations: new Relations(store.rooms, roomVersions, clock),
      reader: roomReader,
      search: new RoomSearch(store.rooms, store.search, roomReader),
      receipts: new Receipts(store.rooms, store.receipts, store.accountData, ports.notifier, clock),
    },
    authenticator: new Authenticator(store.devices, store.users, clock, sessionCache),
    sessions,
    registration: new Registration(store, hasher, clock, config, uia, sessions),
    login: new Login(store.users, hasher, config, sessions),
    accounts,
    uia,
    userAdmin,
    sharedSecretRegistration: new SharedSecretRegistration(
      config.registration.sharedSecret,
      store.keyValue,
      clock,
      userAdmin,
      sessions,
    ),
    devices: new Devices(store.devices, confirmIdentity, {
      deleted: (userId, deviceIds) => e2ee.deviceKeys.devicesDeleted(userId, deviceIds),
      renamed: (userId) => e2ee.deviceLists.record([userId]),
    }),
    profiles: new Profiles(store.users, (userId, profile) => profilePropagation.propagate(userId, profile)),
    accountData: new AccountData(store.accountData, ports.notifier),
    filters: new Filters(store.filters),
    userDirectory: new UserDirectory(store.users, store.userDirectory, config.userDirectory.searchAllUsers),
    directory: createDirectoryServices(store, clock, config.serverName, {
      versions: roomVersions,
      events: eventCreator,
      membership: new Membership(eventCreator, store.users, roomVersions, config.serverName),
    }),
    media: createMediaServices(ports.media, store, clock, config),
    rateLimits: {
      login: new RateLimiter({ burst: 5, perSecond: 0.1 }, clock, config.rateLimits),
      register: new RateLimiter({ burst: 5, perSecond: 0.05 }, clock, config.rateLimits),
    },
  };
}
