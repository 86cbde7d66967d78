/**
 * Unpadded Base64 (spec: content/appendices.md "Unpadded Base64", "URL-safe unpadded Base64").
 *
 * Matrix writes binary values (keys, signatures, hashes, v3+ event IDs) as RFC 4648 base64 without `=`
 * padding. "When decoding Base64, implementations SHOULD accept input with or without padding
 * characters wherever possible", so the decoders take both.
 */

export class Base64Error extends Error {
  override readonly name = "Base64Error";
}

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Standard alphabet (`+`, `/`), no padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return encode(bytes, STANDARD);
}

/** URL-safe alphabet (`-`, `_`), no padding: event IDs from room version 4, room IDs in version 12. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL_SAFE);
}

/** Decodes the standard alphabet, padded or not. Throws `Base64Error`. */
export function decodeBase64(text: string): Uint8Array {
  return decode(text, STANDARD_LOOKUP);
}

/** Decodes the URL-safe alphabet, padded or not. Throws `Base64Error`. */
export function decodeBase64Url(text: string): Uint8Array {
  return decode(text, URL_SAFE_LOOKUP);
}

function encode(bytes: Uint8Array, alphabet: string): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]!;
  }
  return out;
}

function lookupTable(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const STANDARD_LOOKUP = lookupTable(STANDARD);
const URL_SAFE_LOOKUP = lookupTable(URL_SAFE);

function decode(text: string, table: Int8Array): Uint8Array {
  let length = text.length;
  if (length % 4 === 0 && length > 0) {
    // Padding is accepted only where RFC 4648 puts it: one or two `=` completing the last quantum.
    if (text.charCodeAt(length - 1) === 0x3d) length--;
    if (text.charCodeAt(length - 1) === 0x3d) length--;
  }
  if (length % 4 === 1) throw new Base64Error("invalid base64 length");
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) throw new Base64Error(`invalid base64 character at offset ${i}`);
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
