/**
 * Hashing, signing and identifying events as this server (spec: server-server-api "Signing
 * events"; event ID formats per room version).
 */
import type { StoredEvent } from "../../ports/store/rooms.js";
import { encodeBase64 } from "../../protocol/base64.js";
import { computeEventId, eventIdFromReferenceHash } from "../../protocol/event-id.js";
import { signEvent } from "../../protocol/event-signing.js";
import { addContentHash, computeReferenceHash, sha256 } from "../../protocol/hashes.js";
import type { JsonObject } from "../../protocol/json.js";
import type { EventReference, Pdu } from "../../protocol/pdu.js";
import { redactEvent } from "../../protocol/redaction.js";
import type { RoomVersion } from "../../protocol/room-versions.js";
import { signedBytes, withSignature } from "../../protocol/signing.js";
import { MatrixError } from "../errors.js";
import type { ServerSigner } from "../server-keys/server-keys.js";

/** The largest PDU the spec allows (server-server-api "Size limits": 65536 bytes as canonical JSON). */
export const MAX_PDU_BYTES = 65_536;

export class EventSigner {
  constructor(private readonly signer: ServerSigner) {}

  /**
   * `signEvent` and `computeEventId` from one encoding of the event. The signature covers the
   * redacted event without `signatures`, `unsigned` and (where IDs are hashes) `event_id`: the very
   * bytes the reference hash is taken of, so in those versions the event ID is their SHA-256.
   * The signed form is protocol/event-signing.ts's.
   */
  async signAndIdentify(draft: JsonObject, version: RoomVersion): Promise<{ pdu: Pdu; eventId: string }> {
    const hashed = await addContentHash(draft, version);
    const { event_id: _eventId, ...withoutId } = hashed;
    const signedForm = redactEvent(version.eventIdFormat === "v1" ? hashed : withoutId, version.redaction);
    const bytes = signedBytes(signedForm, { strict: version.strictCanonicalJson });
    const [signature, eventId] = await Promise.all([
      this.signer.signBytes(bytes),
      version.eventIdFormat === "v1"
        ? computeEventId(hashed, version)
        : sha256(bytes).then((hash) => eventIdFromReferenceHash(hash, version)),
    ]);
    const pdu = withSignature(
      hashed,
      this.signer.serverName,
      this.signer.key.keyId,
      signature,
    ) as unknown as Pdu;
    const size = new TextEncoder().encode(JSON.stringify(pdu)).length;
    if (size > MAX_PDU_BYTES) throw new MatrixError(413, "M_TOO_LARGE", "Event is larger than 65536 bytes");
    return { pdu, eventId };
  }

  async sign(draft: JsonObject, version: RoomVersion): Promise<JsonObject> {
    const signed = await signEvent(draft, version, this.signer.serverName, this.signer.key);
    const size = new TextEncoder().encode(JSON.stringify(signed)).length;
    if (size > MAX_PDU_BYTES) throw new MatrixError(413, "M_TOO_LARGE", "Event is larger than 65536 bytes");
    return signed;
  }

  /** Event references in the room version's format: bare IDs, or `[id, {sha256}]` pairs in v1/v2. */
  async references(ids: string[], events: StoredEvent[], version: RoomVersion): Promise<EventReference[]> {
    if (version.eventIdFormat !== "v1") return ids;
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const refs: EventReference[] = [];
    for (const id of ids) {
      const event = byId.get(id);
      const hash = event ? encodeBase64(await computeReferenceHash(event.pdu as JsonObject, version)) : "";
      refs.push([id, { sha256: hash }]);
    }
    return refs;
  }
}
