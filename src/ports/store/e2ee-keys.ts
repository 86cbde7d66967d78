/**
 * End-to-end encryption keys (spec: client-server-api "End-to-End Encryption"): device identity keys,
 * one-time and fallback keys, cross-signing keys and the signatures users make over them, and the
 * `device_lists` stream of users whose keys changed. The server never sees plaintext: it stores,
 * counts, hands out and relays these objects exactly as uploaded.
 */
import type { JsonObject } from "../../protocol/json.js";

/** A one-time or fallback key: `algorithm:keyId` → the key (a string or a signed object). */
export interface UploadedKey {
  algorithm: string;
  keyId: string;
  /** The key exactly as uploaded (canonical JSON text of a string or an object). */
  json: string;
}

export interface StoredDeviceKeys {
  userId: string;
  deviceId: string;
  keys: JsonObject;
  /** The device's display name (from the devices table). */
  displayName: string | null;
}

export type CrossSigningKeyType = "master" | "self_signing" | "user_signing";

export interface StoredCrossSigningKey {
  userId: string;
  type: CrossSigningKeyType;
  /** The key's unpadded base64 public key (the part after `ed25519:` in its key ID). */
  publicKey: string;
  key: JsonObject;
}

/** One signature a user made over a device key or a cross-signing key. */
export interface KeySignature {
  targetUserId: string;
  /** A device ID, or the base64 public key of a cross-signing key. */
  targetKeyId: string;
  signerUserId: string;
  /** `ed25519:<device ID or public key>`. */
  signerKeyId: string;
  signature: string;
}

export interface ClaimedKey {
  algorithm: string;
  keyId: string;
  json: string;
  /** True when the one-time keys had run out and this is the (reusable) fallback key. */
  fallback: boolean;
}

export interface E2eeKeyRepository {
  getDeviceKeys(userId: string, deviceId: string): Promise<JsonObject | undefined>;
  /**
   * Stores a device's identity keys and records a device list change for the user, in one unit of
   * work. Returns the device_lists position. The service has already refused changed identity keys.
   */
  setDeviceKeys(userId: string, deviceId: string, keys: JsonObject): Promise<number>;
  /** Device keys of existing devices: all devices of a user when its list is empty. */
  queryDeviceKeys(query: Map<string, string[]>): Promise<StoredDeviceKeys[]>;

  /**
   * Adds one-time keys. Returns the key IDs (`algorithm:keyId`) already stored with other content;
   * when there are any, nothing is added. Keys already stored with the same content are skipped.
   */
  addOneTimeKeys(userId: string, deviceId: string, keys: UploadedKey[]): Promise<string[]>;
  /** Unclaimed one-time keys per algorithm. */
  oneTimeKeyCounts(userId: string, deviceId: string): Promise<Record<string, number>>;
  /** Replaces the device's fallback key of each algorithm (unused again unless it is the same key). */
  setFallbackKeys(userId: string, deviceId: string, keys: UploadedKey[]): Promise<void>;
  /** Algorithms with a fallback key that has not been handed out yet. */
  unusedFallbackKeyTypes(userId: string, deviceId: string): Promise<string[]>;
  /**
   * Takes one one-time key of the algorithm from the device, atomically: concurrent claims never get
   * the same key. When none is left, returns the fallback key and marks it used.
   */
  claimKey(userId: string, deviceId: string, algorithm: string): Promise<ClaimedKey | undefined>;

  crossSigningKeys(userIds: string[]): Promise<StoredCrossSigningKey[]>;
  /** Stores cross-signing keys and records a device list change for the user; returns the position. */
  setCrossSigningKeys(userId: string, keys: StoredCrossSigningKey[]): Promise<number>;

  /** Adds (or replaces) signatures; records a device list change for `changedUserIds`. */
  addSignatures(signatures: KeySignature[], changedUserIds: string[]): Promise<number>;
  /** Every stored signature over keys of these users. */
  signaturesFor(targetUserIds: string[]): Promise<KeySignature[]>;

  /** Deletes the devices' keys (identity, one-time, fallback, signatures over them) and records a
   * device list change for the user. Returns the position. */
  deleteDeviceKeys(userId: string, deviceIds: string[]): Promise<number>;
  /** Records a device list change for the users (e.g. a device renamed); returns the position. */
  recordDeviceListChange(userIds: string[]): Promise<number>;
  /** Users with device list changes in (from, to]. */
  deviceListChanges(from: number, to: number): Promise<string[]>;
  /** Current memberships whose member event is at an events stream position in (from, to]: who
   * joined or left which room in that window (read from the rooms' current state). */
  membershipChanges(
    from: number,
    to: number,
  ): Promise<Array<{ roomId: string; userId: string; membership: string }>>;
}

export interface DehydratedDevice {
  deviceId: string;
  deviceData: JsonObject;
}

/** MSC3814 dehydrated devices: at most one per user, a device row without access tokens. */
export interface DehydratedDeviceRepository {
  /**
   * Replaces the user's dehydrated device in one unit of work: the previous one (device row, keys,
   * inbox) is deleted and a device row is created for the new one. Returns the previous device ID, or
   * undefined when `deviceId` is already a device of the user that is not their dehydrated device.
   */
  put(
    userId: string,
    device: DehydratedDevice,
    displayName: string | null,
    nowTs: number,
  ): Promise<{ replaced: string | null } | undefined>;
  get(userId: string): Promise<DehydratedDevice | undefined>;
  /** Deletes the dehydrated device (device row, keys, inbox); returns its ID. */
  delete(userId: string): Promise<string | undefined>;
}
