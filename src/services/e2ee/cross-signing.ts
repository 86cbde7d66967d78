/**
 * Cross-signing (spec: client-server-api "Cross-signing"): `POST /keys/device_signing/upload` stores
 * the user's master, self-signing and user-signing keys; `POST /keys/signatures/upload` adds
 * signatures — of the user's devices by their self-signing key, of their master key by their
 * devices, of other users' master keys by their user-signing key. Every signature is verified before
 * it is stored; /keys/query merges the stored ones into the keys it returns.
 */
import type {
  CrossSigningKeyType,
  E2eeKeyRepository,
  KeySignature,
  StoredCrossSigningKey,
} from "../../ports/store/e2ee-keys.js";
import { encodeCanonicalJson } from "../../protocol/canonical-json.js";
import { isJsonObject, type JsonObject } from "../../protocol/json.js";
import { readSignatures, verifyJsonSignature } from "../../protocol/signing.js";
import type { Requester } from "../accounts/authenticate.js";
import type { ConfirmIdentity } from "../devices/devices.js";
import { invalidParam, MatrixError } from "../errors.js";
import { ed25519Of } from "./device-keys.js";
import type { DeviceLists } from "./device-lists.js";

export interface DeviceSigningUpload {
  master_key?: JsonObject | undefined;
  self_signing_key?: JsonObject | undefined;
  user_signing_key?: JsonObject | undefined;
  auth?: unknown;
}

const FIELDS: Array<["master_key" | "self_signing_key" | "user_signing_key", CrossSigningKeyType]> = [
  ["master_key", "master"],
  ["self_signing_key", "self_signing"],
  ["user_signing_key", "user_signing"],
];

const invalidSignature = (message: string) => new MatrixError(400, "M_INVALID_SIGNATURE", message);

export class CrossSigning {
  constructor(
    private readonly keys: E2eeKeyRepository,
    private readonly deviceLists: DeviceLists,
    private readonly confirmIdentity: ConfirmIdentity,
  ) {}

  async uploadSigningKeys(requester: Requester, body: DeviceSigningUpload): Promise<void> {
    const userId = requester.userId;
    const stored = new Map((await this.keys.crossSigningKeys([userId])).map((k) => [k.type, k]));
    const uploaded: StoredCrossSigningKey[] = [];
    for (const [field, type] of FIELDS) {
      const key = body[field] as JsonObject | undefined;
      if (key === undefined) continue;
      uploaded.push({ userId, type, publicKey: publicKeyOf(key, userId, type, field), key });
    }
    if (uploaded.length === 0) return;

    // UIA is required to replace keys; the spec exempts the first upload (no master key yet), and
    // repeating exactly the stored keys changes nothing, so it needs no password either.
    const identical = uploaded.every((k) => {
      const before = stored.get(k.type);
      return before !== undefined && encodeCanonicalJson(before.key) === encodeCanonicalJson(k.key);
    });
    if (identical) return;
    if (stored.has("master")) {
      await this.confirmIdentity(requester, body.auth, "device_signing_upload");
    }

    const master = uploaded.find((k) => k.type === "master") ?? stored.get("master");
    if (!master) throw invalidParam("No master key: upload master_key first");
    for (const k of uploaded) {
      if (k.type === "master") continue;
      const signed = await verifyJsonSignature(
        k.key,
        userId,
        `ed25519:${master.publicKey}`,
        master.publicKey,
      );
      if (!signed) throw invalidSignature(`The ${k.type} key is not signed by the master key`);
    }
    const position = await this.keys.setCrossSigningKeys(userId, uploaded);
    await this.deviceLists.notify([userId], position);
  }

  /** `POST /keys/signatures/upload`: returns the failures, per user and key ID. */
  async uploadSignatures(
    requester: Requester,
    body: Record<string, Record<string, JsonObject>>,
  ): Promise<Record<string, Record<string, JsonObject>>> {
    const signer = requester.userId;
    const failures: Record<string, Record<string, JsonObject>> = {};
    const accepted: KeySignature[] = [];
    const targets = Object.keys(body);
    const crossKeys = await this.keys.crossSigningKeys([...new Set([signer, ...targets])]);
    const keyOf = (userId: string, type: CrossSigningKeyType) =>
      crossKeys.find((k) => k.userId === userId && k.type === type);

    for (const [targetUserId, byKey] of Object.entries(body)) {
      for (const [keyId, object] of Object.entries(byKey)) {
        try {
          if (!isJsonObject(object)) throw invalidParam("A signed object must be a JSON object");
          const found =
            targetUserId === signer
              ? await this.ownSignatures(
                  requester,
                  keyId,
                  object,
                  keyOf(signer, "master"),
                  keyOf(signer, "self_signing"),
                )
              : await this.otherSignature(
                  signer,
                  targetUserId,
                  keyId,
                  object,
                  keyOf(targetUserId, "master"),
                  keyOf(signer, "user_signing"),
                );
          accepted.push(...found);
        } catch (error) {
          if (!(error instanceof MatrixError)) throw error;
          failures[targetUserId] ??= {};
          (failures[targetUserId] as Record<string, JsonObject>)[keyId] = {
            errcode: error.errcode,
            error: error.message,
          };
        }
      }
    }
    if (accepted.length > 0) {
      // The signatures show up in the signer's view of the keys: their own devices re-query them.
      const position = await this.keys.addSignatures(accepted, [signer]);
      await this.deviceLists.notify([signer], position);
    }
    return failures;
  }

  /** Signatures over the signer's own keys: a device by the self-signing key, or the master key by
   * one of their devices (or another of their keys). */
  private async ownSignatures(
    requester: Requester,
    keyId: string,
    object: JsonObject,
    master: StoredCrossSigningKey | undefined,
    selfSigning: StoredCrossSigningKey | undefined,
  ): Promise<KeySignature[]> {
    const userId = requester.userId;
    if (master && keyId === master.publicKey) {
      assertSameKey(object, master.key);
      const out: KeySignature[] = [];
      const mine = readSignatures(object)[userId] ?? {};
      const devices = new Map(
        (await this.keys.queryDeviceKeys(new Map([[userId, []]]))).map((d) => [d.deviceId, d.keys]),
      );
      for (const [signerKeyId, signature] of Object.entries(mine)) {
        if (readSignatures(master.key)[userId]?.[signerKeyId] === signature) continue;
        const deviceId = signerKeyId.startsWith("ed25519:") ? signerKeyId.slice(8) : "";
        const deviceKeys = devices.get(deviceId);
        const publicKey = deviceKeys ? ed25519Of(deviceKeys, deviceId) : undefined;
        if (!publicKey) throw invalidSignature(`Unknown signing key ${signerKeyId}`);
        const only = { ...object, signatures: { [userId]: { [signerKeyId]: signature } } };
        if (!(await verifyJsonSignature(only, userId, signerKeyId, publicKey))) {
          throw invalidSignature(`Invalid signature by ${signerKeyId}`);
        }
        out.push({ targetUserId: userId, targetKeyId: keyId, signerUserId: userId, signerKeyId, signature });
      }
      if (out.length === 0) throw invalidSignature("No new signature by one of the user's devices");
      return out;
    }
    const stored = await this.keys.getDeviceKeys(userId, keyId);
    if (!stored) throw new MatrixError(400, "M_INVALID_PARAM", `Unknown device or key ${keyId}`);
    assertSameKey(object, stored);
    if (!selfSigning) throw invalidSignature("The user has no self-signing key");
    const signerKeyId = `ed25519:${selfSigning.publicKey}`;
    const signature = readSignatures(object)[userId]?.[signerKeyId];
    if (signature === undefined) throw invalidSignature("Not signed by the self-signing key");
    if (!(await verifyJsonSignature(object, userId, signerKeyId, selfSigning.publicKey))) {
      throw invalidSignature("Invalid signature by the self-signing key");
    }
    return [{ targetUserId: userId, targetKeyId: keyId, signerUserId: userId, signerKeyId, signature }];
  }

  /** A signature over another user's master key, by the signer's user-signing key. */
  private async otherSignature(
    signer: string,
    targetUserId: string,
    keyId: string,
    object: JsonObject,
    targetMaster: StoredCrossSigningKey | undefined,
    userSigning: StoredCrossSigningKey | undefined,
  ): Promise<KeySignature[]> {
    if (!targetMaster || targetMaster.publicKey !== keyId) {
      throw new MatrixError(400, "M_INVALID_PARAM", `${keyId} is not the master key of ${targetUserId}`);
    }
    assertSameKey(object, targetMaster.key);
    if (!userSigning) throw invalidSignature("The signer has no user-signing key");
    const signerKeyId = `ed25519:${userSigning.publicKey}`;
    const signature = readSignatures(object)[signer]?.[signerKeyId];
    if (signature === undefined) throw invalidSignature("Not signed by the user-signing key");
    if (!(await verifyJsonSignature(object, signer, signerKeyId, userSigning.publicKey))) {
      throw invalidSignature("Invalid signature by the user-signing key");
    }
    return [{ targetUserId, targetKeyId: keyId, signerUserId: signer, signerKeyId, signature }];
  }
}

/** The public key of a cross-signing key, after checking its shape (CrossSigningKey schema). */
function publicKeyOf(key: JsonObject, userId: string, type: CrossSigningKeyType, field: string): string {
  if (key.user_id !== userId) throw invalidParam(`${field}.user_id does not match the requester`);
  if (!Array.isArray(key.usage) || !key.usage.includes(type))
    throw invalidParam(`${field}.usage must include ${type}`);
  if (!isJsonObject(key.keys)) throw invalidParam(`${field}.keys is missing`);
  const entries = Object.entries(key.keys);
  const [id, value] = entries[0] ?? [];
  if (entries.length !== 1 || typeof value !== "string" || id !== `ed25519:${value}`) {
    throw invalidParam(`${field}.keys must hold one key, ed25519:<public key>`);
  }
  return value;
}

/** A signed object must be the stored key itself (apart from signatures and unsigned). */
function assertSameKey(object: JsonObject, stored: JsonObject): void {
  const { signatures: _a, unsigned: _b, ...uploaded } = object;
  const { signatures: _c, unsigned: _d, ...known } = stored;
  if (encodeCanonicalJson(uploaded) !== encodeCanonicalJson(known)) {
    throw invalidParam("The signed object does not match the stored key");
  }
}
