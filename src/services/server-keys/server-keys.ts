/**
 * The server's Ed25519 signing key: generated once, kept in the store so every process (and the
 * Workers deployment) signs with the same key. Spec: server-server-api "Publishing Keys".
 */

import type { Clock } from "../../ports/clock.js";
import type { ServerKeyRepository } from "../../ports/store/server-keys.js";
import { decodeBase64, encodeBase64 } from "../../protocol/base64.js";
import type { JsonObject } from "../../protocol/json.js";
import {
  generateSigningKey,
  publicKeyBase64FromSeed,
  type RawSigner,
  type SigningKey,
  signBytes,
  signJsonWith,
} from "../../protocol/signing.js";

/** Makes the signing primitive for a seed (ports: Node passes a synchronous one). */
export type Ed25519SignerFactory = (seed: Uint8Array) => RawSigner;

/** WebCrypto, as on every runtime. */
export const webCryptoSigner: Ed25519SignerFactory = (seed) => (bytes) => signBytes(bytes, seed);

/** How long other servers may cache our key response: a week, as Synapse does. */
const KEY_VALIDITY_MS = 7 * 24 * 3600 * 1000;

export interface ServerSigner {
  serverName: string;
  key: SigningKey;
  publicKeyBase64: string;
  /** Signs bytes with the server key (the primitive under `sign`, for event signing). */
  signBytes: RawSigner;
  /** Signs a JSON object as this server. */
  sign<T extends JsonObject>(object: T): Promise<T & { signatures: Record<string, Record<string, string>> }>;
}

export async function loadServerSigner(
  serverName: string,
  repo: ServerKeyRepository,
  clock: Clock,
  signerFor: Ed25519SignerFactory = webCryptoSigner,
): Promise<ServerSigner> {
  let record = await repo.current();
  if (!record) {
    const fresh = generateSigningKey();
    record = await repo.storeIfAbsent({
      keyId: fresh.keyId,
      seed: encodeBase64(fresh.seed),
      createdTs: clock.now(),
    });
  }
  const key: SigningKey = { keyId: record.keyId, seed: decodeBase64(record.seed) };
  const publicKeyBase64 = await publicKeyBase64FromSeed(key.seed);
  const raw = signerFor(key.seed);
  return {
    serverName,
    key,
    publicKeyBase64,
    signBytes: raw,
    sign: (object) => signJsonWith(object, serverName, key.keyId, raw),
  };
}

/** The body of `GET /_matrix/key/v2/server`, signed by the key it publishes. */
export async function serverKeysResponse(signer: ServerSigner, clock: Clock): Promise<JsonObject> {
  return signer.sign({
    server_name: signer.serverName,
    verify_keys: { [signer.key.keyId]: { key: signer.publicKeyBase64 } },
    old_verify_keys: {},
    valid_until_ts: clock.now() + KEY_VALIDITY_MS,
  });
}
