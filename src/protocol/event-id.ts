/**
 * Event IDs (spec: content/rooms/fragments/v1-event-ids.md, content/rooms/v3.md "Event IDs",
 * fragments/v4-event-ids.md; content/appendices.md "Event IDs").
 *
 * v1, v2: `$opaque_id:domain`, chosen by the server that creates the event and carried in `event_id`.
 * v3: `$` + unpadded base64 of the reference hash. v4 and later: the same in URL-safe base64.
 */

import { encodeBase64, encodeBase64Url } from "./base64.js";
import { computeReferenceHash } from "./hashes.js";
import type { JsonObject } from "./json.js";
import { type RandomBytes, randomAlphanumeric, webRandomBytes } from "./random.js";
import type { RoomVersion } from "./room-versions.js";

/** A fresh v1-format event ID, `$<18 alphanumerics>:<serverName>` ("opaque_id is a locally-unique
 * string"). */
export function generateEventIdV1(serverName: string, random: RandomBytes = webRandomBytes): string {
  return `$${randomAlphanumeric(18, random)}:${serverName}`;
}

/**
 * The event's ID under its room version: for the v1 format the `event_id` the event carries (throws
 * when it has none), otherwise `$` + the reference hash in the version's base64 alphabet.
 */
export async function computeEventId(event: JsonObject, version: RoomVersion): Promise<string> {
  switch (version.eventIdFormat) {
    case "v1": {
      const id = event.event_id;
      if (typeof id !== "string") throw new TypeError("a room version 1/2 event must carry its event_id");
      return id;
    }
    case "v3":
    case "v4":
      return eventIdFromReferenceHash(await computeReferenceHash(event, version), version);
  }
}

/** `$` + a reference hash in the alphabet of a room version whose event IDs are hashes (v3: standard
 * base64, v4 and later: URL-safe). */
export function eventIdFromReferenceHash(hash: Uint8Array, version: RoomVersion): string {
  if (version.eventIdFormat === "v1") throw new TypeError("room versions 1 and 2 have no hash event IDs");
  return `$${version.eventIdFormat === "v3" ? encodeBase64(hash) : encodeBase64Url(hash)}`;
}
