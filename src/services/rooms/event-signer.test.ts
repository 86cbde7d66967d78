/**
 * EventSigner.signAndIdentify encodes an event once for both its signature and its ID: the result
 * must be what signing and identifying it separately give (protocol/event-signing.ts, event-id.ts).
 */
import { describe, expect, it } from "vitest";
import { computeEventId, generateEventIdV1 } from "../../protocol/event-id.js";
import { signEvent, verifyEventSignature } from "../../protocol/event-signing.js";
import { checkContentHash } from "../../protocol/hashes.js";
import type { JsonObject } from "../../protocol/json.js";
import { getRoomVersion, type RoomVersion } from "../../protocol/room-versions.js";
import {
  generateSigningKey,
  publicKeyBase64FromSeed,
  signBytes,
  signJsonWith,
} from "../../protocol/signing.js";
import type { ServerSigner } from "../server-keys/server-keys.js";
import { EventSigner } from "./event-signer.js";

const SERVER = "signer.test";
const key = generateSigningKey();
const signer: ServerSigner = {
  serverName: SERVER,
  key,
  publicKeyBase64: await publicKeyBase64FromSeed(key.seed),
  signBytes: (bytes) => signBytes(bytes, key.seed),
  sign: (object) => signJsonWith(object, SERVER, key.keyId, (bytes) => signBytes(bytes, key.seed)),
};

function draftFor(version: RoomVersion): JsonObject {
  const draft: JsonObject = {
    room_id: "!room:signer.test",
    sender: "@alice:signer.test",
    type: "m.room.message",
    // Left out of the signed form by the redaction algorithm, kept in the event.
    content: { msgtype: "m.text", body: "héllo ☃" },
    prev_events: [],
    auth_events: [],
    depth: 7,
    origin_server_ts: 1_700_000_000_000,
  };
  if (version.eventIdFormat === "v1") draft.event_id = generateEventIdV1(SERVER);
  return draft;
}

describe("EventSigner.signAndIdentify", () => {
  for (const id of ["1", "3", "4", "10", "11", "12"]) {
    it(`gives room version ${id} events the ID and signature signing them separately gives`, async () => {
      const version = getRoomVersion(id) as RoomVersion;
      const draft = draftFor(version);
      const { pdu, eventId } = await new EventSigner(signer).signAndIdentify(draft, version);
      // Ed25519 signatures are deterministic: the same bytes signed give the same signature.
      expect(pdu).toEqual(await signEvent(draft, version, SERVER, key));
      expect(eventId).toBe(await computeEventId(pdu as unknown as JsonObject, version));
      if (version.eventIdFormat === "v4") expect(eventId).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
      if (version.eventIdFormat === "v3") expect(eventId).toMatch(/^\$[A-Za-z0-9+/]{43}$/);
      expect(
        await verifyEventSignature(
          pdu as unknown as JsonObject,
          version,
          SERVER,
          key.keyId,
          signer.publicKeyBase64,
        ),
      ).toBe(true);
      expect(await checkContentHash(pdu as unknown as JsonObject, version)).toBe(true);
    });
  }
});
