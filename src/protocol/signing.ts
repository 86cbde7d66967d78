/**
 * Ed25519 signing keys and signed JSON (spec: content/appendices.md "Signing JSON", "Signing Details",
 * "Checking for a Signature"; content/server-server-api.md "Retrieving server keys").
 *
 * A Matrix signing key is a 32-byte Ed25519 seed. WebCrypto cannot import a bare seed, so it is wrapped
 * in the fixed PKCS#8 DER envelope for Ed25519 (RFC 8410). Imported keys are cached per seed and per
 * public key: every event this server creates is signed, and every event it receives is verified.
 */

import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from "./base64.js";
import { CanonicalJsonError, type CanonicalJsonOptions, encodeCanonicalJsonBytes } from "./canonical-json.js";
import { isJsonObject, type JsonObject, setJsonMember } from "./json.js";
import { type RandomBytes, randomAlphanumeric, webRandomBytes } from "./random.js";

/** A server's signing key: the seed stays secret, the key ID is published with the public key. */
export interface SigningKey {
  /** `ed25519:<version>`, e.g. `ed25519:a_Xyz1`. */
  keyId: string;
  /** 32-byte Ed25519 seed. */
  seed: Uint8Array;
}

/** `signatures`: entity (server name or user ID) → key ID → unpadded base64 signature. */
export type Signatures = Record<string, Record<string, string>>;

/** The only signing algorithm the spec defines: "ed25519 as implemented by NACL". */
export const ED25519 = "ed25519";

const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const ALGORITHM = { name: "Ed25519" } as const;

/** A fresh signing key with key ID `ed25519:<8 random alphanumerics>`; the version must match
 * `[a-zA-Z0-9_]` (data/api/server-server/definitions/keys.yaml). */
export function generateSigningKey(random: RandomBytes = webRandomBytes): SigningKey {
  const seed = random(32);
  if (seed.length !== 32) throw new Error("random source returned the wrong number of bytes");
  return { keyId: `${ED25519}:${randomAlphanumeric(8, random)}`, seed };
}

/** The raw 32-byte public key for a seed. */
export async function publicKeyFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("pkcs8", pkcs8(seed), ALGORITHM, true, ["sign"]);
  // A private key cannot be exported raw; its JWK carries the public key as `x` (base64url).
  const jwk = await crypto.subtle.exportKey("jwk", key);
  if (typeof jwk.x !== "string") throw new Error("Ed25519 JWK export has no public key");
  return decodeBase64Url(jwk.x); // JWK uses base64url (RFC 7517)
}

/** The public key for a seed as unpadded base64, as published in `verify_keys`. */
export async function publicKeyBase64FromSeed(seed: Uint8Array): Promise<string> {
  return encodeBase64(await publicKeyFromSeed(seed));
}

/** Signs bytes with the seed's key; returns the 64-byte signature. */
export async function signBytes(bytes: Uint8Array, seed: Uint8Array): Promise<Uint8Array> {
  const key = await privateKeyFor(seed);
  return new Uint8Array(await crypto.subtle.sign(ALGORITHM, key, bytes as Uint8Array<ArrayBuffer>));
}

/** Checks a 64-byte signature over bytes with a raw 32-byte public key. False for malformed keys. */
export async function verifyBytes(
  bytes: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let key: CryptoKey;
  try {
    key = await publicKeyFor(publicKey);
  } catch {
    return false;
  }
  return crypto.subtle.verify(
    ALGORITHM,
    key,
    signature as Uint8Array<ArrayBuffer>,
    bytes as Uint8Array<ArrayBuffer>,
  );
}

/** Produces a 64-byte Ed25519 signature over bytes. WebCrypto's is asynchronous; a runtime with a
 * synchronous primitive (Node's) may return the signature directly. */
export type RawSigner = (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * Signs a JSON object as "Signing Details" describes: the canonical JSON of the object without
 * `signatures` and `unsigned` is signed, and the signature is added under `signatures[entity][keyId]`
 * next to any signatures already there. Returns a new object; the input is not changed.
 */
export async function signJson<T extends JsonObject>(
  object: T,
  entity: string,
  keyId: string,
  seed: Uint8Array,
  options?: CanonicalJsonOptions,
): Promise<T & { signatures: Signatures }> {
  return signJsonWith(object, entity, keyId, (bytes) => signBytes(bytes, seed), options);
}

/** `signJson` with the signing primitive passed in. */
export async function signJsonWith<T extends JsonObject>(
  object: T,
  entity: string,
  keyId: string,
  sign: RawSigner,
  options?: CanonicalJsonOptions,
): Promise<T & { signatures: Signatures }> {
  return withSignature(object, entity, keyId, await sign(signedBytes(object, options)));
}

/** What a signature covers: the canonical JSON of the object without `signatures` and `unsigned`.
 * Throws CanonicalJsonError for an object that has no canonical form under `options`. */
export function signedBytes(object: JsonObject, options?: CanonicalJsonOptions): Uint8Array {
  const { signatures: _signatures, unsigned: _unsigned, ...signed } = object;
  return encodeCanonicalJsonBytes(signed, options);
}

/** The object with `signature` added under `signatures[entity][keyId]`, next to any signatures
 * already there (a new object). */
export function withSignature<T extends JsonObject>(
  object: T,
  entity: string,
  keyId: string,
  signature: Uint8Array,
): T & { signatures: Signatures } {
  return {
    ...object,
    signatures: mergeSignatures(readSignatures(object), { [entity]: { [keyId]: encodeBase64(signature) } }),
  };
}

/**
 * "Checking for a Signature": true when `object.signatures[entity][keyId]` is a valid Ed25519 signature
 * by `publicKeyBase64` over the canonical JSON of the object without `signatures` and `unsigned`.
 * False when the entry is missing, the algorithm is not ed25519, any part fails to decode, or the
 * object is not canonical JSON under `options`.
 */
export async function verifyJsonSignature(
  object: JsonObject,
  entity: string,
  keyId: string,
  publicKeyBase64: string,
  options?: CanonicalJsonOptions,
): Promise<boolean> {
  if (!keyId.startsWith(`${ED25519}:`)) return false;
  const signatureBase64 = readSignatures(object)[entity]?.[keyId];
  if (signatureBase64 === undefined) return false;
  let signature: Uint8Array;
  let publicKey: Uint8Array;
  try {
    signature = decodeBase64(signatureBase64);
    publicKey = decodeBase64(publicKeyBase64);
  } catch {
    return false;
  }
  let bytes: Uint8Array;
  try {
    bytes = signedBytes(object, options);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
  return verifyBytes(bytes, signature, publicKey);
}

/** The well-formed part of an object's `signatures`: string signatures under object entries. */
export function readSignatures(object: JsonObject): Signatures {
  const result: Signatures = {};
  const signatures = object.signatures;
  if (!isJsonObject(signatures)) return result;
  for (const [entity, byKey] of Object.entries(signatures)) {
    if (!isJsonObject(byKey)) continue;
    const entry: Record<string, string> = {};
    for (const [keyId, signature] of Object.entries(byKey)) {
      if (typeof signature === "string") setJsonMember(entry, keyId, signature);
    }
    setJsonMember(result, entity, entry);
  }
  return result;
}

/** `base` with every signature of `extra` added (same entity and key ID: `extra` wins). */
export function mergeSignatures(base: Signatures, extra: Signatures): Signatures {
  const result: Signatures = {};
  for (const [entity, byKey] of Object.entries(base)) setJsonMember(result, entity, { ...byKey });
  for (const [entity, byKey] of Object.entries(extra)) {
    const existing = Object.hasOwn(result, entity) ? result[entity] : undefined;
    setJsonMember(result, entity, { ...existing, ...byKey });
  }
  return result;
}

function pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed, PKCS8_ED25519_PREFIX.length);
  return der;
}

/**
 * Caches of imported keys. Bounded so a flood of distinct remote keys cannot grow memory without
 * limit; a server has a handful of its own seeds and a working set of remote keys.
 */
const CACHE_LIMIT = 1024;
const privateKeys = new Map<string, Promise<CryptoKey>>();
const publicKeys = new Map<string, Promise<CryptoKey>>();

function privateKeyFor(seed: Uint8Array): Promise<CryptoKey> {
  const cacheKey = encodeBase64Url(seed);
  return cached(privateKeys, cacheKey, () =>
    crypto.subtle.importKey("pkcs8", pkcs8(seed), ALGORITHM, false, ["sign"]),
  );
}

function publicKeyFor(publicKey: Uint8Array): Promise<CryptoKey> {
  const cacheKey = encodeBase64Url(publicKey);
  return cached(publicKeys, cacheKey, () =>
    crypto.subtle.importKey("raw", publicKey as Uint8Array<ArrayBuffer>, ALGORITHM, false, ["verify"]),
  );
}

function cached(cache: Map<string, Promise<CryptoKey>>, key: string, load: () => Promise<CryptoKey>) {
  let entry = cache.get(key);
  if (entry === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    entry = load();
    // A failed import is not cached: the next call tries again (and fails the same way, cheaply).
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
  }
  return entry;
}
