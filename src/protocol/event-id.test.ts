import { describe, expect, it } from "vitest";
import { encodeBase64, encodeBase64Url } from "./base64.js";
import { computeEventId, generateEventIdV1 } from "./event-id.js";
import { computeReferenceHash } from "./hashes.js";
import type { JsonObject } from "./json.js";
import { computeRoomIdFromCreateEvent, generateRoomId } from "./room-id.js";
import { getRoomVersion, ROOM_VERSIONS, type RoomVersion } from "./room-versions.js";

const version = (id: string): RoomVersion => getRoomVersion(id)!;

const event: JsonObject = {
  room_id: "!x:domain",
  sender: "@a:domain",
  origin_server_ts: 1000000,
  hashes: { sha256: "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos" },
  type: "X",
  content: {},
  prev_events: [],
  auth_events: [],
  depth: 3,
};

describe("event IDs", () => {
  it("v1/v2: the event_id the event carries", async () => {
    expect(await computeEventId({ ...event, event_id: "$abc:domain" }, version("1"))).toBe("$abc:domain");
    expect(await computeEventId({ ...event, event_id: "$abc:domain" }, version("2"))).toBe("$abc:domain");
    await expect(computeEventId(event, version("1"))).rejects.toThrow("event_id");
  });

  it("v3: '$' + unpadded standard base64 of the reference hash", async () => {
    const hash = await computeReferenceHash(event, version("3"));
    const id = await computeEventId(event, version("3"));
    expect(id).toBe(`$${encodeBase64(hash)}`);
    expect(id).toMatch(/^\$[A-Za-z0-9+/]{43}$/);
  });

  it("v4+: '$' + URL-safe unpadded base64, e.g. `$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg`", async () => {
    for (const id of ["4", "5", "6", "7", "8", "9", "10", "11", "12"]) {
      const hash = await computeReferenceHash(event, version(id));
      const eventId = await computeEventId(event, version(id));
      expect(eventId).toBe(`$${encodeBase64Url(hash)}`);
      expect(eventId).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
    }
  });

  it("v3 and v4 encode the same hash in different alphabets", async () => {
    const v3 = await computeEventId(event, version("3"));
    const v4 = await computeEventId(event, version("4"));
    expect(v4).toBe(v3.replaceAll("+", "-").replaceAll("/", "_"));
  });

  it("is the same for an event and its signed, unsigned-carrying, event_id-carrying copy", async () => {
    const decorated = {
      ...event,
      event_id: "$ignored",
      signatures: { domain: { "ed25519:1": "x" } },
      unsigned: { age: 1 },
    };
    expect(await computeEventId(decorated, version("12"))).toBe(await computeEventId(event, version("12")));
  });

  it("pins the exact IDs of a known event", async () => {
    // Computed independently with the spec's Python canonical_json (json.dumps(..., ensure_ascii=False,
    // separators=(',',':'), sort_keys=True)) and hashlib.sha256; the hash has both '+' and '/' in it.
    expect(await computeEventId(event, version("3"))).toBe("$70O/oKlXzFbkfu0KE88USi98DjSWrOELrPj+8tisl8I");
    expect(await computeEventId(event, version("4"))).toBe("$70O_oKlXzFbkfu0KE88USi98DjSWrOELrPj-8tisl8I");
  });

  it("generates v1 IDs from a random source", () => {
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    expect(generateEventIdV1("example.org", random)).toBe("$ABCDEFGHIJKLMNOPQR:example.org");
    expect(generateEventIdV1("example.org")).toMatch(/^\$[A-Za-z0-9]{18}:example\.org$/);
  });
});

describe("the room version table's event ID formats", () => {
  // v1, v2: fragments/v1-event-ids.md; v3: rooms/v3.md "Event IDs"; v4 and later: v4-event-ids.md.
  it("matches the spec", () => {
    const table = Object.fromEntries([...ROOM_VERSIONS.values()].map((v) => [v.id, v.eventIdFormat]));
    expect(table).toEqual({
      "1": "v1",
      "2": "v1",
      "3": "v3",
      "4": "v4",
      "5": "v4",
      "6": "v4",
      "7": "v4",
      "8": "v4",
      "9": "v4",
      "10": "v4",
      "11": "v4",
      "12": "v4",
    });
  });
});

describe("room IDs", () => {
  const create: JsonObject = {
    type: "m.room.create",
    state_key: "",
    sender: "@creator:example.org",
    origin_server_ts: 1000000,
    content: { room_version: "12" },
    hashes: { sha256: "x" },
    prev_events: [],
    auth_events: [],
    depth: 1,
  };

  it("v12: the create event's event ID with '!' for '$' (content/appendices.md 'Room IDs')", async () => {
    const eventId = await computeEventId(create, version("12"));
    const roomId = await computeRoomIdFromCreateEvent(create, version("12"));
    expect(roomId).toBe(`!${eventId.slice(1)}`);
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    // Computed independently with the spec's Python canonical_json and hashlib.sha256.
    expect(roomId).toBe("!CqntINIAuz1v090UnPEETEhAldj-nPkC6NaNsfkql0A");
  });

  it("v12: keeps the whole create content (v11 redaction), so it changes with any content key", async () => {
    const other = { ...create, content: { room_version: "12", additional_creators: ["@b:example.org"] } };
    expect(await computeRoomIdFromCreateEvent(other, version("12"))).not.toBe(
      await computeRoomIdFromCreateEvent(create, version("12")),
    );
  });

  it("refuses versions that do not derive room IDs, and non-create events", async () => {
    await expect(computeRoomIdFromCreateEvent(create, version("11"))).rejects.toThrow("does not derive");
    await expect(
      computeRoomIdFromCreateEvent({ ...create, type: "m.room.member" }, version("12")),
    ).rejects.toThrow("m.room.create");
  });

  it("generates classic room IDs from a random source", () => {
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => i + 26);
    expect(generateRoomId("example.org", random)).toBe("!abcdefghijklmnopqr:example.org");
  });
});
