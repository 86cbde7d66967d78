import { describe, expect, test } from "vitest";
import type { JsonObject } from "../json.js";
import type { Pdu } from "../pdu.js";
import { ALL_VERSIONS, versions } from "../testing/auth-table.js";
import { version } from "../testing/test-room.js";
import { checkAuth } from "./check-auth.js";

const CREATOR = "@alice:a.example";

/** A create event as each version expects it, with overrides. */
function create(v: string, overrides: Partial<Pdu> = {}, content: JsonObject = {}): Pdu {
  const pdu: Pdu = {
    type: "m.room.create",
    sender: CREATOR,
    state_key: "",
    content: {
      room_version: v,
      ...(version(v).authorization.creatorInContent ? { creator: CREATOR } : {}),
      ...content,
    },
    prev_events: [],
    auth_events: [],
    depth: 1,
    origin_server_ts: 1,
    hashes: { sha256: "x" },
    signatures: {},
  };
  if (v !== "12") pdu.room_id = "!room:a.example";
  return { ...pdu, ...overrides };
}

function check(pdu: Pdu, v: string) {
  return checkAuth({ eventId: "$create:a.example", pdu }, new Map(), version(v));
}

interface CreateCase {
  name: string;
  appliesTo?: readonly string[];
  allowIn: readonly string[];
  pdu: (v: string) => Pdu;
}

const ALL = [...ALL_VERSIONS];

const cases: CreateCase[] = [
  { name: "a well-formed create event", allowIn: ALL, pdu: (v) => create(v) },
  { name: "create with prev_events", allowIn: [], pdu: (v) => create(v, { prev_events: ["$x"] }) },
  {
    name: "room_id on another server than the sender (v1–v11)",
    appliesTo: versions("1", "11"),
    allowIn: [],
    pdu: (v) => create(v, { room_id: "!room:b.example" }),
  },
  {
    name: "room_id without a server name (v1–v11)",
    appliesTo: versions("1", "11"),
    allowIn: [],
    pdu: (v) => create(v, { room_id: "!room" }),
  },
  {
    name: "no room_id at all: required before v12, forbidden in v12",
    allowIn: ["12"],
    pdu: (v) => {
      const pdu = create(v);
      delete pdu.room_id;
      return pdu;
    },
  },
  {
    name: "a room_id on a v12 create event",
    appliesTo: ["12"],
    allowIn: [],
    pdu: (v) => create(v, { room_id: "!room:a.example" }),
  },
  { name: "an unrecognised room_version", allowIn: [], pdu: (v) => create(v, {}, { room_version: "999" }) },
  { name: "a non-string room_version", allowIn: [], pdu: (v) => create(v, {}, { room_version: 9 }) },
  {
    name: "a different recognised room_version (checked for being known, not equal)",
    allowIn: ALL,
    pdu: (v) => create(v, {}, { room_version: "5" }),
  },
  {
    name: "no room_version (defaults to 1, allowed)",
    allowIn: ALL,
    pdu: (v) => {
      const pdu = create(v);
      const { room_version: _ignored, ...content } = pdu.content;
      return { ...pdu, content };
    },
  },
  {
    name: "no creator in content: required v1–v10, not from v11",
    allowIn: ["11", "12"],
    pdu: (v) => {
      const pdu = create(v);
      const { creator: _ignored, ...content } = pdu.content;
      return { ...pdu, content };
    },
  },
  {
    name: "a creator that differs from the sender is accepted (v1–v10 only read it)",
    appliesTo: versions("1", "10"),
    allowIn: versions("1", "10"),
    pdu: (v) => create(v, {}, { creator: "@bob:a.example" }),
  },
  {
    name: "additional_creators as user IDs",
    allowIn: ALL,
    pdu: (v) => create(v, {}, { additional_creators: ["@bob:b.example", "@carol:c.example"] }),
  },
  {
    name: "additional_creators not an array (checked in v12 only)",
    allowIn: versions("1", "11"),
    pdu: (v) => create(v, {}, { additional_creators: "@bob:b.example" }),
  },
  {
    name: "additional_creators holding a non-user ID (checked in v12 only)",
    allowIn: versions("1", "11"),
    pdu: (v) => create(v, {}, { additional_creators: ["@bob:b.example", "bob"] }),
  },
  {
    name: "additional_creators holding a number (checked in v12 only)",
    allowIn: versions("1", "11"),
    pdu: (v) => create(v, {}, { additional_creators: [7] }),
  },
  {
    name: "additional_creators empty",
    allowIn: ALL,
    pdu: (v) => create(v, {}, { additional_creators: [] }),
  },
  {
    name: "create with m.federate false",
    allowIn: ALL,
    pdu: (v) => create(v, {}, { "m.federate": false }),
  },
];

describe("m.room.create", () => {
  const rows = cases.flatMap((c) =>
    (c.appliesTo ?? ALL).map((v) => [`${c.name} [v${v}]`, c, v, c.allowIn.includes(v)] as const),
  );
  test.each(rows)("%s", (_label, c, v, allowed) => {
    const result = check(c.pdu(v), v);
    expect(result.allowed, result.allowed ? "allowed" : result.reason).toBe(allowed);
  });
});
