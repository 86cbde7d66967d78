/**
 * Ed25519 signing with node:crypto's synchronous `sign`: the same signatures as WebCrypto's, without
 * a thread-pool round trip per event while a room's lock is held.
 */
import { createPrivateKey, sign } from "node:crypto";
import type { Ed25519SignerFactory } from "../../services/server-keys/server-keys.js";

/** RFC 8410 PKCS#8 prefix for a raw 32-byte Ed25519 seed. */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export const nodeEd25519Signer: Ed25519SignerFactory = (seed) => {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  return (bytes) => new Uint8Array(sign(null, bytes, key));
};
