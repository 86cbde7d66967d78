/**
 * Device keys, one-time keys and fallback keys (spec: client-server-api "Key management API":
 * `POST /keys/upload`, `/keys/query`, `/keys/claim`). Uploaded objects are checked — the device's
 * self-signature, the signatures of signed one-time keys — and then kept byte for byte; the server
 * never holds private keys or plaintext.
 */
import type {
  ClaimedKey,
  E2eeKeyRepository,
  KeySignature,
  UploadedKey,
} from "../../ports/store/e2ee-keys.js";
import { encodeCanonicalJson } from "../../protocol/canonical-json.js";
import { parseUserId } from "../../protocol/identifiers.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../../protocol/json.js";
import { mergeSignatures, type Signatures, verifyJsonSignature } from "../../protocol/signing.js";
import type { Requester } from "../accounts/authenticate.js";
import { invalidParam, MatrixError } from "../errors.js";
import type { DeviceLists } from "./device-lists.js";

export interface KeysUpload {
  device_keys?: JsonObject | undefined;
  one_time_keys?: Record<string, JsonValue> | undefined;
  fallback_keys?: Record<string, JsonValue> | undefined;
}

/** Answers for users of other servers; until federation asks them, they are reported as failures. */
export type RemoteKeyQuery = (
  serverName: string,
  deviceKeys: Record<string, string[]>,
) => Promise<JsonObject>;
export type RemoteKeyClaim = (
  serverName: string,
  claim: Record<string, Record<string, string>>,
) => Promise<JsonObject>;

export interface KeysQueryResult {
  device_keys: Record<string, Record<string, JsonObject>>;
  master_keys: Record<string, JsonObject>;
  self_signing_keys: Record<string, JsonObject>;
  user_signing_keys: Record<string, JsonObject>;
  failures: Record<string, JsonObject>;
}

export const SIGNED_CURVE25519 = "signed_curve25519";

export class DeviceKeys {
  constructor(
    private readonly keys: E2eeKeyRepository,
    private readonly deviceLists: DeviceLists,
    private readonly serverName: string,
    private readonly remote: { query?: RemoteKeyQuery; claim?: RemoteKeyClaim } = {},
  ) {}

  /**
   * `POST /keys/upload` for the requester's device (or, for MSC3814, for their dehydrated device).
   * Returns the one-time key counts after the upload.
   */
  async upload(userId: string, deviceId: string, body: KeysUpload): Promise<Record<string, number>> {
    let identity = await this.keys.getDeviceKeys(userId, deviceId);
    if (body.device_keys !== undefined) {
      const next = await this.checkDeviceKeys(userId, deviceId, body.device_keys, identity);
      if (next) {
        const position = await this.keys.setDeviceKeys(userId, deviceId, next);
        await this.deviceLists.notify([userId], position);
        identity = next;
      }
    }
    const signingKey = identity ? ed25519Of(identity, deviceId) : undefined;
    if (body.one_time_keys !== undefined) {
      const uploaded = await this.checkKeys(
        userId,
        deviceId,
        signingKey,
        body.one_time_keys,
        "one_time_keys",
      );
      const conflicts = await this.keys.addOneTimeKeys(userId, deviceId, uploaded);
      if (conflicts.length > 0) {
        throw invalidParam(`One time key ${conflicts[0]} already exists with different content`);
      }
    }
    if (body.fallback_keys !== undefined) {
      const uploaded = await this.checkKeys(
        userId,
        deviceId,
        signingKey,
        body.fallback_keys,
        "fallback_keys",
      );
      await this.keys.setFallbackKeys(userId, deviceId, uploaded);
    }
    return this.counts(userId, deviceId);
  }

  /** A device was deleted (or logged out for good): its keys go, and its owner's contacts hear of it. */
  async devicesDeleted(userId: string, deviceIds: string[]): Promise<void> {
    await this.deviceLists.notify([userId], await this.keys.deleteDeviceKeys(userId, deviceIds));
  }

  /** One-time key counts; `signed_curve25519` is always present (clients top up from it). */
  async counts(userId: string, deviceId: string): Promise<Record<string, number>> {
    return { [SIGNED_CURVE25519]: 0, ...(await this.keys.oneTimeKeyCounts(userId, deviceId)) };
  }

  unusedFallbackKeyTypes(userId: string, deviceId: string): Promise<string[]> {
    return this.keys.unusedFallbackKeyTypes(userId, deviceId);
  }

  /** `POST /keys/query`. */
  async query(requester: Requester, deviceKeys: Record<string, string[]>): Promise<KeysQueryResult> {
    const result: KeysQueryResult = {
      device_keys: {},
      master_keys: {},
      self_signing_keys: {},
      user_signing_keys: {},
      failures: {},
    };
    const local = new Map<string, string[]>();
    const remote = new Map<string, Record<string, string[]>>();
    for (const [userId, devices] of Object.entries(deviceKeys)) {
      const parsed = parseUserId(userId);
      if (!parsed) continue;
      if (parsed.serverName === this.serverName) {
        local.set(userId, devices);
        result.device_keys[userId] = {};
      } else {
        const forServer = remote.get(parsed.serverName) ?? {};
        forServer[userId] = devices;
        remote.set(parsed.serverName, forServer);
      }
    }
    const userIds = [...local.keys()];
    const signatures = await this.keys.signaturesFor(userIds);
    const extra = (targetUserId: string, targetKeyId: string, visibleTo?: (signer: string) => boolean) =>
      signaturesOver(signatures, targetUserId, targetKeyId, visibleTo);

    for (const d of await this.keys.queryDeviceKeys(local)) {
      const keys: JsonObject = {
        ...d.keys,
        signatures: mergeSignatures(readObjectSignatures(d.keys), extra(d.userId, d.deviceId)),
      };
      const unsigned: JsonObject = isJsonObject(d.keys.unsigned) ? { ...d.keys.unsigned } : {};
      if (d.displayName !== null) unsigned.device_display_name = d.displayName;
      else delete unsigned.device_display_name;
      if (Object.keys(unsigned).length > 0) keys.unsigned = unsigned;
      else delete keys.unsigned;
      (result.device_keys[d.userId] as Record<string, JsonObject>)[d.deviceId] = keys;
    }
    for (const k of await this.keys.crossSigningKeys(userIds)) {
      // A signature another user made over a master key (with their user-signing key) is private to
      // that signer (spec: "Cross-signing": only visible to the user who made it).
      const visible = (signer: string) => signer === k.userId || signer === requester.userId;
      const key = {
        ...k.key,
        signatures: mergeSignatures(readObjectSignatures(k.key), extra(k.userId, k.publicKey, visible)),
      };
      if (k.type === "master") result.master_keys[k.userId] = key;
      else if (k.type === "self_signing") result.self_signing_keys[k.userId] = key;
      else if (k.userId === requester.userId) result.user_signing_keys[k.userId] = key;
    }

    for (const [serverName, query] of remote) {
      if (!this.remote.query) {
        result.failures[serverName] = { errcode: "M_UNAVAILABLE", error: "Federation is not available" };
        continue;
      }
      try {
        mergeRemote(result, await this.remote.query(serverName, query));
      } catch (error) {
        result.failures[serverName] = {
          errcode: "M_UNAVAILABLE",
          error: String((error as Error).message ?? error),
        };
      }
    }
    return result;
  }

  /** `POST /keys/claim`: one key per requested device, each claim atomic in the store. */
  async claim(claims: Record<string, Record<string, string>>): Promise<{
    one_time_keys: Record<string, Record<string, JsonObject>>;
    failures: Record<string, JsonObject>;
  }> {
    const oneTimeKeys: Record<string, Record<string, JsonObject>> = {};
    const failures: Record<string, JsonObject> = {};
    const remote = new Map<string, Record<string, Record<string, string>>>();
    for (const [userId, devices] of Object.entries(claims)) {
      const parsed = parseUserId(userId);
      if (!parsed) continue;
      if (parsed.serverName !== this.serverName) {
        const forServer = remote.get(parsed.serverName) ?? {};
        forServer[userId] = devices;
        remote.set(parsed.serverName, forServer);
        continue;
      }
      const byDevice: Record<string, JsonObject> = {};
      for (const [deviceId, algorithm] of Object.entries(devices)) {
        const claimed: ClaimedKey | undefined = await this.keys.claimKey(userId, deviceId, algorithm);
        if (claimed)
          byDevice[deviceId] = { [`${claimed.algorithm}:${claimed.keyId}`]: JSON.parse(claimed.json) };
      }
      oneTimeKeys[userId] = byDevice;
    }
    for (const [serverName, claim] of remote) {
      if (!this.remote.claim) {
        failures[serverName] = { errcode: "M_UNAVAILABLE", error: "Federation is not available" };
        continue;
      }
      try {
        const answer = await this.remote.claim(serverName, claim);
        if (isJsonObject(answer.one_time_keys)) Object.assign(oneTimeKeys, answer.one_time_keys);
      } catch (error) {
        failures[serverName] = { errcode: "M_UNAVAILABLE", error: String((error as Error).message ?? error) };
      }
    }
    return { one_time_keys: oneTimeKeys, failures };
  }

  /** The device keys to store, or undefined when they are the ones already stored. */
  private async checkDeviceKeys(
    userId: string,
    deviceId: string,
    keys: JsonObject,
    existing: JsonObject | undefined,
  ): Promise<JsonObject | undefined> {
    if (keys.user_id !== userId) throw invalidParam("device_keys.user_id does not match the requester");
    if (keys.device_id !== deviceId) throw invalidParam("device_keys.device_id does not match the device");
    if (!Array.isArray(keys.algorithms) || !keys.algorithms.every((a) => typeof a === "string")) {
      throw invalidParam("device_keys.algorithms must be a list of strings");
    }
    if (!isJsonObject(keys.keys) || !Object.values(keys.keys).every((k) => typeof k === "string")) {
      throw invalidParam("device_keys.keys must map key IDs to keys");
    }
    const ed25519 = ed25519Of(keys, deviceId);
    if (ed25519 === undefined) throw invalidParam(`device_keys.keys has no ed25519:${deviceId}`);
    if (!(await verifyJsonSignature(keys, userId, `ed25519:${deviceId}`, ed25519))) {
      throw new MatrixError(
        400,
        "M_INVALID_SIGNATURE",
        "device_keys is not signed by the device's ed25519 key",
      );
    }
    if (existing) {
      // A device's identity keys never change: new keys need a new device ID (spec: "Uploading keys").
      for (const algorithm of ["ed25519", "curve25519"]) {
        const id = `${algorithm}:${deviceId}`;
        const before = isJsonObject(existing.keys) ? existing.keys[id] : undefined;
        if (before !== undefined && before !== keys.keys[id]) {
          throw invalidParam(
            `The ${algorithm} key of device ${deviceId} cannot change; log in as a new device`,
          );
        }
      }
      if (encodeCanonicalJson(existing) === encodeCanonicalJson(keys)) return undefined;
    }
    return keys;
  }

  private async checkKeys(
    userId: string,
    deviceId: string,
    signingKey: string | undefined,
    keys: Record<string, JsonValue>,
    field: string,
  ): Promise<UploadedKey[]> {
    const out: UploadedKey[] = [];
    for (const [id, key] of Object.entries(keys)) {
      const colon = id.indexOf(":");
      if (colon <= 0 || colon === id.length - 1)
        throw invalidParam(`${field}: key ID ${id.slice(0, 100)} is not algorithm:id`);
      const algorithm = id.slice(0, colon);
      if (typeof key !== "string" && !isJsonObject(key)) {
        throw invalidParam(`${field}.${id.slice(0, 100)} must be a string or an object`);
      }
      if (algorithm.startsWith("signed_")) {
        if (!isJsonObject(key) || typeof key.key !== "string")
          throw invalidParam(`${field}.${id} has no key`);
        if (signingKey === undefined) {
          throw invalidParam(`${field}: upload the device keys of ${deviceId} before signed keys`);
        }
        if (!(await verifyJsonSignature(key, userId, `ed25519:${deviceId}`, signingKey))) {
          throw new MatrixError(400, "M_INVALID_SIGNATURE", `${field}.${id} is not signed by the device`);
        }
      }
      out.push({ algorithm, keyId: id.slice(colon + 1), json: encodeCanonicalJson(key) });
    }
    return out;
  }
}

/** The device's ed25519 key from its device keys. */
export function ed25519Of(keys: JsonObject, deviceId: string): string | undefined {
  const value = isJsonObject(keys.keys) ? keys.keys[`ed25519:${deviceId}`] : undefined;
  return typeof value === "string" ? value : undefined;
}

function readObjectSignatures(object: JsonObject): Signatures {
  return isJsonObject(object.signatures) ? (object.signatures as unknown as Signatures) : {};
}

function signaturesOver(
  all: KeySignature[],
  targetUserId: string,
  targetKeyId: string,
  visibleTo?: (signer: string) => boolean,
): Signatures {
  const out: Signatures = {};
  for (const s of all) {
    if (s.targetUserId !== targetUserId || s.targetKeyId !== targetKeyId) continue;
    if (visibleTo && !visibleTo(s.signerUserId)) continue;
    out[s.signerUserId] = { ...out[s.signerUserId], [s.signerKeyId]: s.signature };
  }
  return out;
}

function mergeRemote(result: KeysQueryResult, answer: JsonObject): void {
  for (const field of ["device_keys", "master_keys", "self_signing_keys"] as const) {
    const part = answer[field];
    if (isJsonObject(part)) Object.assign(result[field], part);
  }
}
