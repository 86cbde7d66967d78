/** Opaque random tokens; only their SHA-256 is stored, so a database leak does not leak sessions. */
import { encodeBase64Url } from "../../protocol/base64.js";
import { sha256Sync } from "../../protocol/sha256.js";

export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

/** Every authenticated request hashes its token: synchronously, without a trip through WebCrypto's
 * thread pool. */
export async function hashToken(token: string): Promise<string> {
  return encodeBase64Url(sha256Sync(new TextEncoder().encode(token)));
}

const DEVICE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Device IDs look like Synapse's: ten upper-case letters. */
export function randomDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => DEVICE_ID_ALPHABET[b % DEVICE_ID_ALPHABET.length]).join("");
}
