import { describe, expect, it } from "vitest";
import { encodeBase64 } from "./base64.js";
import { CanonicalJsonError } from "./canonical-json.js";
import {
  addContentHash,
  checkContentHash,
  computeContentHash,
  computeReferenceHash,
  sha256,
} from "./hashes.js";
import type { JsonObject } from "./json.js";
import { getRoomVersion, type RoomVersion } from "./room-versions.js";

const version = (id: string): RoomVersion => getRoomVersion(id)!;
const b64 = async (p: Promise<Uint8Array>) => encodeBase64(await p);

// The minimal event of content/appendices.md "Event Signing".
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

describe("sha256", () => {
  it("hashes bytes (FIPS 180-2 'abc' vector)", async () => {
    expect(Buffer.from(await sha256(new TextEncoder().encode("abc"))).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("content hash", () => {
  it("matches the appendix hashes", async () => {
    expect(await b64(computeContentHash(minimalEvent(), version("1")))).toBe(
      "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos",
    );
    const message = {
      content: { body: "Here is the message content" },
      event_id: "$0:domain",
      origin: "domain",
      origin_server_ts: 1000000,
      type: "m.room.message",
      room_id: "!r:domain",
      sender: "@u:domain",
      signatures: {},
      unsigned: { age_ts: 1000000 },
    };
    expect(await b64(computeContentHash(message, version("1")))).toBe(
      "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g",
    );
  });

  it("ignores unsigned, signatures and hashes, and nothing else", async () => {
    const base = await b64(computeContentHash(minimalEvent(), version("1")));
    const noise = { ...minimalEvent(), unsigned: { x: 1 }, signatures: { a: {} }, hashes: { sha256: "x" } };
    expect(await b64(computeContentHash(noise, version("1")))).toBe(base);
    expect(await b64(computeContentHash({ ...minimalEvent(), content: { a: 1 } }, version("1")))).not.toBe(
      base,
    );
  });

  it("leaves event_id out in hash-ID room versions only", async () => {
    const withId = { ...minimalEvent(), event_id: "$x:domain" };
    const base = await b64(computeContentHash(minimalEvent(), version("3")));
    expect(await b64(computeContentHash(withId, version("3")))).toBe(base);
    expect(await b64(computeContentHash(withId, version("1")))).not.toBe(base);
  });

  it("addContentHash replaces `hashes` and checkContentHash accepts it, padded or not", async () => {
    const hashed = await addContentHash(minimalEvent(), version("1"));
    expect(hashed.hashes).toEqual({ sha256: "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos" });
    expect(await checkContentHash(hashed, version("1"))).toBe(true);
    const padded = { ...hashed, hashes: { sha256: `${hashed.hashes.sha256}=` } };
    expect(await checkContentHash(padded, version("1"))).toBe(true);
  });

  it("checkContentHash fails for missing, malformed or wrong hashes", async () => {
    const event = minimalEvent();
    expect(await checkContentHash(event, version("1"))).toBe(false);
    expect(await checkContentHash({ ...event, hashes: { sha256: "!!" } }, version("1"))).toBe(false);
    expect(await checkContentHash({ ...event, hashes: { sha256: "AAAA" } }, version("1"))).toBe(false);
    expect(await checkContentHash({ ...event, hashes: "x" }, version("1"))).toBe(false);
  });
});

describe("hostile events", () => {
  it("checkContentHash answers false, and computeReferenceHash throws a CanonicalJsonError, for absurd nesting", async () => {
    let text = "1";
    for (let i = 0; i < 100_000; i++) text = `[${text}]`;
    const event = {
      ...minimalEvent(),
      type: "m.room.create",
      content: { x: JSON.parse(text) },
      hashes: { sha256: "AAAA" },
    };
    expect(await checkContentHash(event, version("11"))).toBe(false);
    await expect(computeReferenceHash(event, version("11"))).rejects.toBeInstanceOf(CanonicalJsonError);
  });
});

describe("reference hash", () => {
  it("is the sha256 of the redacted event without signatures and unsigned", async () => {
    // Redacted (v1 rules) minimal event without signatures/unsigned, in canonical JSON:
    const canonical =
      '{"auth_events":[],"content":{},"depth":3,"hashes":{},"origin":"domain","origin_server_ts":1000000,' +
      '"prev_events":[],"room_id":"!x:domain","sender":"@a:domain","type":"X"}';
    const expected = encodeBase64(await sha256(new TextEncoder().encode(canonical)));
    expect(await b64(computeReferenceHash(minimalEvent(), version("3")))).toBe(expected);
  });

  it("does not change when redactable content changes, but does when the content hash changes", async () => {
    const v4 = version("4");
    const a = await addContentHash({ ...minimalEvent(), content: { body: "a" } }, v4);
    const b = { ...a, content: { body: "b" } };
    expect(await b64(computeReferenceHash(a, v4))).toBe(await b64(computeReferenceHash(b, v4)));
    const rehashed = await addContentHash(b, v4);
    expect(await b64(computeReferenceHash(rehashed, v4))).not.toBe(await b64(computeReferenceHash(a, v4)));
  });

  it("follows the room version's redaction rules (v11 drops top-level origin)", async () => {
    const event = minimalEvent();
    const withoutOrigin = { ...event };
    delete withoutOrigin.origin;
    expect(await b64(computeReferenceHash(event, version("11")))).toBe(
      await b64(computeReferenceHash(withoutOrigin, version("11"))),
    );
    expect(await b64(computeReferenceHash(event, version("10")))).not.toBe(
      await b64(computeReferenceHash(withoutOrigin, version("10"))),
    );
  });
});
