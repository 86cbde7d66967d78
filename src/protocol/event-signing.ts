/**
 * Hashing and signing whole events (spec: content/server-server-api.md "Adding hashes and signatures
 * to outgoing events", "Validating hashes and signatures on received events").
 *
 * The content hash is computed first and stored in `hashes`; then the event is redacted and the
 * redacted form is signed, so a signature stays checkable after the event is redacted. The signature
 * is copied back to the full event.
 */

import { CanonicalJsonError } from "./canonical-json.js";
import { addContentHash } from "./hashes.js";
import type { JsonObject } from "./json.js";
import { redactEvent } from "./redaction.js";
import type { RoomVersion } from "./room-versions.js";
import { type Signatures, type SigningKey, signJson, verifyJsonSignature } from "./signing.js";

/**
 * The event with `hashes.sha256` set and this server's signature added to `signatures` (a new
 * object; the input is not changed).
 */
export async function signEvent<T extends JsonObject>(
  event: T,
  version: RoomVersion,
  serverName: string,
  key: SigningKey,
): Promise<T & { hashes: { sha256: string }; signatures: Signatures }> {
  const hashed = await addContentHash(event, version);
  const signed = await signJson(signedForm(hashed, version), serverName, key.keyId, key.seed, {
    strict: version.strictCanonicalJson,
  });
  return { ...hashed, signatures: signed.signatures };
}

/**
 * True when `signatures[serverName][keyId]` is a valid signature by `publicKeyBase64` over the
 * redacted event. Succeeds "whether we have been sent the full event or a redacted copy"; check the
 * content hash separately to learn which.
 */
export async function verifyEventSignature(
  event: JsonObject,
  version: RoomVersion,
  serverName: string,
  keyId: string,
  publicKeyBase64: string,
): Promise<boolean> {
  let signed: JsonObject;
  try {
    signed = signedForm(event, version);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
  return verifyJsonSignature(signed, serverName, keyId, publicKeyBase64, {
    strict: version.strictCanonicalJson,
  });
}

/** What the signature covers: the redacted event, without an `event_id` in versions whose event IDs
 * are hashes (the ID is not part of those events; see hashes.ts). */
function signedForm(event: JsonObject, version: RoomVersion): JsonObject {
  if (version.eventIdFormat === "v1") return redactEvent(event, version.redaction);
  const { event_id: _eventId, ...withoutId } = event;
  return redactEvent(withoutId, version.redaction);
}
