import { describe, expect, it } from "vitest";
import { decodeBase64 } from "./base64.js";
import { signEvent, verifyEventSignature } from "./event-signing.js";
import { checkContentHash } from "./hashes.js";
import type { JsonObject } from "./json.js";
import { getRoomVersion, type RoomVersion } from "./room-versions.js";

// content/appendices.md "Cryptographic Test Vectors"
const KEY = { keyId: "ed25519:1", seed: decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1") };
const PUBLIC_KEY = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";
const version = (id: string): RoomVersion => getRoomVersion(id)!;

const minimalEvent = (): JsonObject => ({
  room_id: "!x:domain",
  sender: "@a:domain",
  origin: "domain",
  origin_server_ts: 1000000,
  signatures: {},
  hashes: {},
  type: "X",
  content: {},
  prev_events: [],
  auth_events: [],
  depth: 3,
  unsigned: { age_ts: 1000000 },
});

const signedMinimalEvent = {
  auth_events: [],
  content: {},
  depth: 3,
  hashes: { sha256: "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos" },
  origin: "domain",
  origin_server_ts: 1000000,
  prev_events: [],
  room_id: "!x:domain",
  sender: "@a:domain",
  signatures: {
    domain: {
      "ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg",
    },
  },
  type: "X",
  unsigned: { age_ts: 1000000 },
};

const redactableEvent = (): JsonObject => ({
  content: { body: "Here is the message content" },
  event_id: "$0:domain",
  origin: "domain",
  origin_server_ts: 1000000,
  type: "m.room.message",
  room_id: "!r:domain",
  sender: "@u:domain",
  signatures: {},
  unsigned: { age_ts: 1000000 },
});

const signedRedactableEvent = {
  content: { body: "Here is the message content" },
  event_id: "$0:domain",
  hashes: { sha256: "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g" },
  origin: "domain",
  origin_server_ts: 1000000,
  type: "m.room.message",
  room_id: "!r:domain",
  sender: "@u:domain",
  signatures: {
    domain: {
      "ed25519:1": "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA",
    },
  },
  unsigned: { age_ts: 1000000 },
};

describe("event signing: content/appendices.md 'Event Signing'", () => {
  // The vectors carry `event_id: "$0:domain"` and keep top-level `origin`, so they are room version 1
  // events (v1 event IDs; v1 redaction rules keep `origin`).
  it("signs the minimally-sized event", async () => {
    expect(await signEvent(minimalEvent(), version("1"), "domain", KEY)).toEqual(signedMinimalEvent);
  });

  it("signs the event containing redactable content (signature covers the redacted form)", async () => {
    expect(await signEvent(redactableEvent(), version("1"), "domain", KEY)).toEqual(signedRedactableEvent);
  });

  it("gives the same bytes in every room version up to 10 for the minimal event", async () => {
    for (const id of ["2", "3", "4", "5", "6", "7", "8", "9", "10"]) {
      expect(await signEvent(minimalEvent(), version(id), "domain", KEY), `room version ${id}`).toEqual(
        signedMinimalEvent,
      );
    }
  });

  it("signs differently under v11 rules, which no longer protect top-level `origin`", async () => {
    const signed = await signEvent(minimalEvent(), version("11"), "domain", KEY);
    expect(signed.hashes).toEqual(signedMinimalEvent.hashes); // content hash covers everything
    expect(signed.signatures.domain!["ed25519:1"]).not.toBe(
      signedMinimalEvent.signatures.domain["ed25519:1"],
    );
    expect(await verifyEventSignature(signed, version("11"), "domain", "ed25519:1", PUBLIC_KEY)).toBe(true);
  });

  it("does not mutate its input", async () => {
    const input = redactableEvent();
    const before = structuredClone(input);
    await signEvent(input, version("1"), "domain", KEY);
    expect(input).toEqual(before);
  });

  it("keeps other servers' signatures", async () => {
    const input = { ...minimalEvent(), signatures: { "other.example": { "ed25519:o": "c2ln" } } };
    const signed = await signEvent(input, version("1"), "domain", KEY);
    expect(signed.signatures).toEqual({
      "other.example": { "ed25519:o": "c2ln" },
      domain: signedMinimalEvent.signatures.domain,
    });
  });

  it("leaves a caller's event_id out of what is signed in hash-ID room versions", async () => {
    const withId = { ...minimalEvent(), event_id: "$whatever" };
    const signed = await signEvent(withId, version("4"), "domain", KEY);
    expect(signed.event_id).toBe("$whatever");
    expect(signed.hashes).toEqual(signedMinimalEvent.hashes);
    expect(signed.signatures).toEqual(signedMinimalEvent.signatures);
  });
});

describe("verifying received events", () => {
  it("accepts the appendix events, full and redacted", async () => {
    const v1 = version("1");
    expect(await verifyEventSignature(signedRedactableEvent, v1, "domain", "ed25519:1", PUBLIC_KEY)).toBe(
      true,
    );
    expect(await checkContentHash(signedRedactableEvent, v1)).toBe(true);
    // "Note that this step should succeed whether we have been sent the full event or a redacted copy."
    const redactedCopy = { ...signedRedactableEvent, content: {} };
    expect(await verifyEventSignature(redactedCopy, v1, "domain", "ed25519:1", PUBLIC_KEY)).toBe(true);
    // ...while the content hash then fails, telling us to use the redacted copy.
    expect(await checkContentHash(redactedCopy, v1)).toBe(false);
  });

  it("rejects a change to a key the redaction keeps", async () => {
    const tampered = { ...signedRedactableEvent, origin_server_ts: 1000001 };
    expect(await verifyEventSignature(tampered, version("1"), "domain", "ed25519:1", PUBLIC_KEY)).toBe(false);
  });

  it("rejects (rather than throws for) an event that is not canonical JSON in a strict room version", async () => {
    const signed = await signEvent(minimalEvent(), version("6"), "domain", KEY);
    const withFloat = { ...signed, depth: 3.5 };
    expect(await verifyEventSignature(withFloat, version("6"), "domain", "ed25519:1", PUBLIC_KEY)).toBe(
      false,
    );
    expect(await checkContentHash(withFloat, version("6"))).toBe(false);
  });

  it("throws when asked to sign an event that is not canonical JSON in a strict room version", async () => {
    await expect(
      signEvent({ ...minimalEvent(), content: { n: 0.5 } }, version("6"), "domain", KEY),
    ).rejects.toThrow("float");
    // ...but signs it in room versions 1–5, which must tolerate such events.
    await expect(
      signEvent({ ...minimalEvent(), content: { n: 0.5 } }, version("5"), "domain", KEY),
    ).resolves.toBeDefined();
  });
});
