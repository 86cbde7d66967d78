/** Opaque random tokens; only their SHA-256 is stored, so a database leak does not leak sessions. */
import { encodeBase64Url } from "../../protocol/base64.js";

export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return encodeBase64Url(new Uint8Array(digest));
}

const DEVICE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Device IDs look like Synapse's: ten upper-case letters. */
export function randomDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => DEVICE_ID_ALPHABET[b % DEVICE_ID_ALPHABET.length]).join("");
}
