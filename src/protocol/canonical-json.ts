/**
 * Canonical JSON (spec: content/appendices.md "Canonical JSON").
 *
 * "the shortest UTF-8 JSON encoding with dictionary keys lexicographically sorted by Unicode
 * codepoint. Numbers in the JSON must be integers in the range [-(2**53)+1, (2**53)-1], represented
 * without exponents or decimal places, and negative zero -0 MUST NOT appear."
 *
 * Signatures, content hashes and reference hashes (hence event IDs) are computed over these bytes, so
 * one byte of difference from other servers breaks federation.
 */

import type { JsonValue } from "./json.js";

/** Why a value cannot be encoded as canonical JSON. */
export type CanonicalJsonViolation =
  /** A number with a fractional part ("Float values are not permitted by this encoding"). */
  | "float"
  /** An integer outside [-(2^53)+1, 2^53-1]. */
  | "integer_out_of_range"
  /** NaN or ±Infinity: no JSON encoding exists at all. */
  | "not_finite"
  /** A string (or key) containing a lone UTF-16 surrogate, which has no UTF-8 encoding. */
  | "lone_surrogate"
  /** Something that is not a JSON value (undefined in an array, a function, a bigint, a Date, ...). */
  | "not_json"
  /** Nested deeper than `MAX_DEPTH` arrays and objects. */
  | "too_deep";

export class CanonicalJsonError extends Error {
  override readonly name = "CanonicalJsonError";
  constructor(
    readonly violation: CanonicalJsonViolation,
    /** Where in the value, as a JSON-pointer-like path ("" for the root, "/content/n" below it). */
    readonly path: string,
  ) {
    super(`not canonical JSON (${violation}) at ${path === "" ? "the root" : path}`);
  }
}

export interface CanonicalJsonOptions {
  /**
   * Reject floats and integers outside [-(2^53)+1, 2^53-1]. Default true.
   *
   * Room versions 1–5 "might not be fully compliant with these restrictions. Servers SHOULD be capable
   * of handling JSON which is considered invalid by these restrictions where possible" — pass
   * `{ strict: roomVersion.strictCanonicalJson }` for events (content/rooms/fragments/v1-canonical-json.md,
   * v6-canonical-json.md). Non-strict numbers are written as JavaScript prints them, which matches
   * other servers only as far as their float printing agrees.
   */
  strict?: boolean;
}

const MAX_SAFE = 2 ** 53 - 1;

/**
 * The spec sets no nesting limit, but JSON.parse accepts far deeper values than a recursive encoder
 * can walk, and a stack overflow must not be the answer to a hostile event. Synapse's encoder stops
 * near Python's recursion limit of 1000, so no event deeper than this can be valid across the network.
 */
export const MAX_DEPTH = 1000;

/** Canonical JSON as a string. Throws `CanonicalJsonError`. */
export function encodeCanonicalJson(value: JsonValue, options?: CanonicalJsonOptions): string {
  return encodeValue(value, options?.strict ?? true, "", 0);
}

const utf8 = new TextEncoder();

/** Canonical JSON as UTF-8 bytes: what gets hashed and signed. Throws `CanonicalJsonError`. */
export function encodeCanonicalJsonBytes(value: JsonValue, options?: CanonicalJsonOptions): Uint8Array {
  return utf8.encode(encodeCanonicalJson(value, options));
}

/**
 * Throws `CanonicalJsonError` unless `value` is encodable as canonical JSON. For room versions with
 * `strictCanonicalJson` (v6+), an event failing this is answered with 400 `M_BAD_JSON` on the
 * client-server API and discarded over federation (content/rooms/fragments/v6-canonical-json.md).
 */
export function assertCanonicalJson(
  value: unknown,
  options?: CanonicalJsonOptions,
): asserts value is JsonValue {
  encodeValue(value, options?.strict ?? true, "", 0);
}

/** The first violation found, or undefined when `value` is valid canonical JSON. */
export function findCanonicalJsonViolation(
  value: unknown,
  options?: CanonicalJsonOptions,
): CanonicalJsonError | undefined {
  try {
    encodeValue(value, options?.strict ?? true, "", 0);
    return undefined;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return error;
    throw error;
  }
}

/**
 * Orders strings by Unicode code point, as the spec requires for keys. JavaScript's default sort
 * compares UTF-16 code units, which puts astral characters (surrogate pairs, 0xD800–0xDFFF) before
 * U+E000–U+FFFF; code point order (and UTF-8 byte order) puts them after.
 */
export function compareByCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates move above U+E000–U+FFFF; order within each group is kept.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function encodeValue(value: unknown, strict: boolean, path: string, depth: number): string {
  switch (typeof value) {
    case "string":
      return encodeString(value, path);
    case "number":
      return encodeNumber(value, strict, path);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (depth >= MAX_DEPTH) throw new CanonicalJsonError("too_deep", path);
      if (Array.isArray(value)) return encodeArray(value, strict, path, depth + 1);
      if (!isPlainObject(value)) throw new CanonicalJsonError("not_json", path);
      return encodeObject(value as Record<string, unknown>, strict, path, depth + 1);
    default:
      throw new CanonicalJsonError("not_json", path);
  }
}

/**
 * JSON.stringify escapes exactly what the grammar's `escaped` rule requires: `"`, `\`, the short forms
 * \b \t \n \f \r, and other U+0000–U+001F as lower-case \u00XX; everything else (including U+007F and
 * U+2028) is written as itself. It would also escape lone surrogates as \udXXX, which no other server
 * does, so those are rejected first.
 */
function encodeString(value: string, path: string): string {
  if (!value.isWellFormed()) throw new CanonicalJsonError("lone_surrogate", path);
  return JSON.stringify(value);
}

function encodeNumber(value: number, strict: boolean, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError("not_finite", path);
  if (strict) {
    if (!Number.isInteger(value)) throw new CanonicalJsonError("float", path);
    if (value > MAX_SAFE || value < -MAX_SAFE) throw new CanonicalJsonError("integer_out_of_range", path);
  }
  // String(-0) is "0": the appendix example encodes {"a": -0} as {"a":0}. Integers below 1e21 print
  // without exponent (1e10 → "10000000000"); larger ones (non-strict only) are spelled out in full.
  if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  return String(value);
}

function encodeArray(value: unknown[], strict: boolean, path: string, depth: number): string {
  let out = "[";
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ",";
    out += encodeValue(value[i], strict, `${path}/${i}`, depth);
  }
  return `${out}]`;
}

function encodeObject(value: Record<string, unknown>, strict: boolean, path: string, depth: number): string {
  const keys = Object.keys(value).sort(compareByCodePoint);
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = value[key];
    // Skipped as JSON.stringify skips it, so the canonical form matches what goes on the wire.
    if (member === undefined) continue;
    const memberPath = `${path}/${key}`;
    if (!first) out += ",";
    first = false;
    out += `${encodeString(key, memberPath)}:${encodeValue(member, strict, memberPath, depth)}`;
  }
  return `${out}}`;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
