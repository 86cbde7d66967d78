/**
 * Randomness for generated identifiers (signing key versions, v1 event IDs, room IDs before v12).
 *
 * Rules in protocol/ stay deterministic by taking the random source as a parameter; the default is
 * the Web Crypto CSPRNG.
 */

/** Returns `length` random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

export const webRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters from [A-Za-z0-9], uniformly chosen. */
export function randomAlphanumeric(length: number, random: RandomBytes = webRandomBytes): string {
  let out = "";
  while (out.length < length) {
    for (const byte of random(Math.max(16, length))) {
      // 62 does not divide 256; rejecting bytes ≥ 248 (= 4 × 62) keeps the choice uniform.
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}
