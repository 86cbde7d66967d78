import { describe, expect, test } from "vitest";
import type { Pdu } from "./pdu.js";
import {
  canDo,
  eventLevel,
  notificationLevel,
  parseLevel,
  powerLevelsFrom,
  userLevel,
} from "./power-levels.js";
import { version } from "./testing/test-room.js";

function pdu(type: string, sender: string, content: Pdu["content"]): Pdu {
  return {
    type,
    sender,
    state_key: "",
    content,
    prev_events: [],
    auth_events: [],
    depth: 1,
    origin_server_ts: 0,
    hashes: { sha256: "" },
    signatures: {},
  };
}

describe("parseLevel", () => {
  test.each([
    [50, false, 50],
    [50, true, 50],
    [-7, true, -7],
    ["50", false, 50],
    ["50", true, undefined],
    [" +0100 ", false, 100],
    ["-100", false, -100],
    ["1e3", false, undefined],
    ["10.0", false, undefined],
    ["", false, undefined],
    [50.9, false, 50],
    [-50.9, false, -50],
    [50.9, true, undefined],
    [true, false, undefined],
    [null, false, undefined],
  ] as const)("%j (integer only: %s) → %s", (value, integerOnly, expected) => {
    expect(parseLevel(value, integerOnly)).toBe(expected);
  });
});

describe("power levels", () => {
  const v9 = version("9").authorization;
  const v11 = version("11").authorization;
  const v12 = version("12").authorization;

  test("defaults without a power levels event: creator 100, others 0, state 50, kick/ban/redact 50", () => {
    const create = pdu("m.room.create", "@a:x", { creator: "@c:x" });
    const pl = powerLevelsFrom(undefined, create, v9);
    expect(userLevel(pl, "@c:x")).toBe(100);
    expect(userLevel(pl, "@a:x")).toBe(0); // before v11 the creator is content.creator
    expect(eventLevel(pl, "m.room.topic", true)).toBe(50);
    expect(eventLevel(pl, "m.room.message", false)).toBe(0);
    expect(pl.levels).toMatchObject({ kick: 50, ban: 50, redact: 50, invite: 0 });
    expect(notificationLevel(pl, "room")).toBe(50);
  });

  test("v11: the creator is the create event's sender", () => {
    const create = pdu("m.room.create", "@a:x", { creator: "@c:x" });
    const pl = powerLevelsFrom(undefined, create, v11);
    expect(userLevel(pl, "@a:x")).toBe(100);
    expect(userLevel(pl, "@c:x")).toBe(0);
  });

  test("v12: creators and additional creators have infinite power, with or without power levels", () => {
    const create = pdu("m.room.create", "@a:x", { additional_creators: ["@b:y"] });
    const levels = pdu("m.room.power_levels", "@a:x", { users: { "@d:x": 9007199254740991 } });
    for (const pl of [powerLevelsFrom(undefined, create, v12), powerLevelsFrom(levels, create, v12)]) {
      expect(userLevel(pl, "@a:x")).toBe(Number.POSITIVE_INFINITY);
      expect(userLevel(pl, "@b:y")).toBe(Number.POSITIVE_INFINITY);
    }
    expect(userLevel(powerLevelsFrom(levels, create, v12), "@d:x")).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  test("v11 ignores additional_creators", () => {
    const create = pdu("m.room.create", "@a:x", { additional_creators: ["@b:y"] });
    expect(userLevel(powerLevelsFrom(undefined, create, v11), "@b:y")).toBe(0);
  });

  test("explicit levels, events and notifications override the defaults", () => {
    const levels = pdu("m.room.power_levels", "@a:x", {
      users: { "@a:x": 100 },
      users_default: 5,
      events: { "m.room.topic": 10, "m.room.message": 20 },
      notifications: { room: 70 },
      kick: 1,
      state_default: 90,
    });
    const pl = powerLevelsFrom(levels, undefined, v11);
    expect(userLevel(pl, "@other:x")).toBe(5);
    expect(eventLevel(pl, "m.room.topic", true)).toBe(10);
    expect(eventLevel(pl, "m.room.message", false)).toBe(20);
    expect(eventLevel(pl, "m.room.name", true)).toBe(90);
    expect(notificationLevel(pl, "room")).toBe(70);
    expect(canDo(pl, "@other:x", "kick")).toBe(true);
    expect(canDo(pl, "@other:x", "ban")).toBe(false);
    expect(canDo(pl, "@other:x", { event: "m.room.topic", state: true })).toBe(false);
    expect(canDo(pl, "@a:x", { notification: "room" })).toBe(true);
  });

  test("string levels count before v10 and are ignored (defaults) from v10", () => {
    const levels = pdu("m.room.power_levels", "@a:x", { users: { "@b:x": "60" }, ban: "10" });
    expect(userLevel(powerLevelsFrom(levels, undefined, v9), "@b:x")).toBe(60);
    expect(powerLevelsFrom(levels, undefined, v9).levels.ban).toBe(10);
    const v10 = version("10").authorization;
    expect(userLevel(powerLevelsFrom(levels, undefined, v10), "@b:x")).toBe(0);
    expect(powerLevelsFrom(levels, undefined, v10).levels.ban).toBe(50);
  });
});
