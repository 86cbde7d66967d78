/** The presence timeouts on a fake clock: idle → unavailable, no sync → offline, currently_active
 * ending after a quiet minute; each change stored on the presence stream and announced. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalNotifier } from "../../src/adapters/memory/local-notifier.js";
import { openSqliteStore } from "../../src/adapters/sqlite/open.js";
import type { StreamChange } from "../../src/ports/notifier.js";
import type { Store } from "../../src/ports/store.js";
import type { Requester } from "../../src/services/accounts/authenticate.js";
import { DEFAULT_PRESENCE_TIMINGS, Presence } from "../../src/services/presence/presence.js";

let store: Store;
let now = 1_000_000;
const clock = { now: () => now };
const notifier = new LocalNotifier();
const changes: StreamChange[] = [];
notifier.subscribe((c) => changes.push(c));
const me = (userId: string) =>
  ({ userId, deviceId: "D", isAdmin: false, isGuest: false, tokenHash: "" }) as Requester;

beforeAll(async () => {
  store = await openSqliteStore(":memory:");
});
afterAll(() => store.close());

describe("presence timeouts", () => {
  it("online → not currently active after a minute → unavailable when idle → offline after syncing stops", async () => {
    const presence = new Presence(store.presence, store.rooms, notifier, clock, true);
    const syncEnded = await presence.syncing("@a:test", undefined);
    expect(await presence.get(me("@a:test"), "@a:test")).toEqual({
      presence: "online",
      last_active_ago: 0,
      currently_active: true,
    });
    expect(changes.at(-1)).toMatchObject({ stream: "presence", userIds: ["@a:test"] });

    // Still syncing: never offline, but no longer currently active after a quiet minute...
    now += DEFAULT_PRESENCE_TIMINGS.activeMs + 1;
    await presence.sweep();
    expect(await presence.get(me("@a:test"), "@a:test")).toMatchObject({
      presence: "online",
      currently_active: false,
    });
    // ... and unavailable once idle.
    now += DEFAULT_PRESENCE_TIMINGS.idleMs;
    await presence.sweep();
    expect((await presence.get(me("@a:test"), "@a:test")).presence).toBe("unavailable");

    // Activity brings the user back.
    await presence.active("@a:test");
    expect(await presence.get(me("@a:test"), "@a:test")).toMatchObject({
      presence: "online",
      currently_active: true,
    });

    // Once the sync ends and nothing follows, offline.
    syncEnded();
    now += DEFAULT_PRESENCE_TIMINGS.offlineMs - 1;
    await presence.sweep();
    expect((await presence.get(me("@a:test"), "@a:test")).presence).toBe("online");
    now += 2;
    const before = changes.length;
    await presence.sweep();
    expect((await presence.get(me("@a:test"), "@a:test")).presence).toBe("offline");
    expect(changes.length).toBe(before + 1);
  });

  it("survives a restart: stored presence is read back and timed out by the next process", async () => {
    const first = new Presence(store.presence, store.rooms, notifier, clock, true);
    await first.set(me("@b:test"), "@b:test", "online", "here");
    const second = new Presence(store.presence, store.rooms, notifier, clock, true);
    expect(await second.get(me("@b:test"), "@b:test")).toMatchObject({
      presence: "online",
      status_msg: "here",
    });
    now += DEFAULT_PRESENCE_TIMINGS.offlineMs + 1;
    await second.sweep();
    expect(await second.get(me("@b:test"), "@b:test")).toMatchObject({
      presence: "offline",
      status_msg: "here",
    });
  });

  it("changes nothing when off", async () => {
    const off = new Presence(store.presence, store.rooms, notifier, clock, false);
    await off.set(me("@c:test"), "@c:test", "online", undefined);
    (await off.syncing("@c:test", "online"))();
    expect(await store.presence.get("@c:test")).toBeUndefined();
    expect(await off.get(me("@d:test"), "@c:test")).toEqual({ presence: "offline" });
  });
});
