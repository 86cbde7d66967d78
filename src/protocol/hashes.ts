/**
 * Content hashes and reference hashes of events (spec: content/server-server-api.md "Calculating the
 * content hash for an event", "Calculating the reference hash for an event").
 *
 * The content hash covers the whole unredacted event, so a receiver can tell when it was given a
 * redacted copy. The reference hash covers the redacted event (content hash included) and is the
 * event ID from room version 3 on.
 *
 * In room versions whose event IDs are hashes, `event_id` is not part of the event ("When events are
 * sent over federation, the event_id field is no longer included", content/rooms/v3.md), so an
 * `event_id` attached to the object by a caller is left out of both hashes.
 */

import { Base64Error, decodeBase64, encodeBase64 } from "./base64.js";
import { CanonicalJsonError, encodeCanonicalJsonBytes } from "./canonical-json.js";
import { isJsonObject, type JsonObject } from "./json.js";
import { redactEvent } from "./redaction.js";
import type { RoomVersion } from "./room-versions.js";
import { sha256Sync } from "./sha256.js";

/** SHA-256 of bytes (synchronous underneath: see sha256.ts for why). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return sha256Sync(bytes);
}

/** "any existing unsigned, signatures, and hashes properties are removed. The resulting object is
 * then encoded as Canonical JSON, and the JSON is hashed using SHA-256." */
export async function computeContentHash(event: JsonObject, version: RoomVersion): Promise<Uint8Array> {
  const hashed = withoutKeys(event, ["unsigned", "signatures", "hashes", ...idKeys(version)]);
  return sha256(encodeCanonicalJsonBytes(hashed, { strict: version.strictCanonicalJson }));
}

/** The event with `hashes` set to `{ "sha256": <unpadded base64 content hash> }` (a new object). */
export async function addContentHash<T extends JsonObject>(
  event: T,
  version: RoomVersion,
): Promise<T & { hashes: { sha256: string } }> {
  const hash = await computeContentHash(event, version);
  return { ...event, hashes: { sha256: encodeBase64(hash) } };
}

/**
 * True when `hashes.sha256` matches the event's content hash (false, too, for an event that is not
 * canonical JSON under the room version's rules). False means the event was redacted
 * (or tampered with) on the way: "the receiving server should use the redacted copy it calculated
 * rather than the full copy it received" (server-server-api.md "Validating hashes and signatures").
 */
export async function checkContentHash(event: JsonObject, version: RoomVersion): Promise<boolean> {
  const hashes = event.hashes;
  if (!isJsonObject(hashes) || typeof hashes.sha256 !== "string") return false;
  let expected: Uint8Array;
  try {
    expected = decodeBase64(hashes.sha256);
  } catch (error) {
    if (error instanceof Base64Error) return false;
    throw error;
  }
  let actual: Uint8Array;
  try {
    actual = await computeContentHash(event, version);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
  return expected.length === actual.length && expected.every((byte, i) => byte === actual[i]);
}

/** "1. The event is put through the redaction algorithm. 2. The signatures and unsigned properties
 * are removed from the event, if present. 3. The event is converted into Canonical JSON. 4. A sha256
 * hash is calculated on the resulting JSON object." */
export async function computeReferenceHash(event: JsonObject, version: RoomVersion): Promise<Uint8Array> {
  const redacted = redactEvent(withoutKeys(event, idKeys(version)), version.redaction);
  const hashed = withoutKeys(redacted, ["signatures", "unsigned"]);
  return sha256(encodeCanonicalJsonBytes(hashed, { strict: version.strictCanonicalJson }));
}

function idKeys(version: RoomVersion): string[] {
  return version.eventIdFormat === "v1" ? [] : ["event_id"];
}

function withoutKeys(event: JsonObject, keys: readonly string[]): JsonObject {
  const copy: JsonObject = { ...event };
  for (const key of keys) delete copy[key];
  return copy;
}
