/**
 * Presence (spec: client-server-api "Presence"): online / unavailable / offline with a status
 * message, `last_active_ago` and `currently_active`. Set by `PUT /presence/{userId}/status`, by
 * syncing (`set_presence`, default online) and by activity; timed out by `sweep`, which the runtime
 * runs on a timer. The latest state of each user is in the store, on the `presence` stream.
 *
 * Timings follow Synapse: idle after 5 minutes without activity, offline 30 s after the last sync
 * ended, `currently_active` for a minute after the last activity. Which syncs are in flight is known
 * per process; scale-out would share it through the store (`lastSyncTs`, written on each change).
 */
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type {
  PresenceRepository,
  PresenceState,
  StoredPresence,
  UserPresence,
} from "../../ports/store/presence.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden } from "../errors.js";

export const PRESENCE_STREAM = "presence";

export interface PresenceTimings {
  /** Online becomes unavailable after this long without activity. */
  idleMs: number;
  /** A user not syncing for this long becomes offline. */
  offlineMs: number;
  /** `currently_active` stays true this long after the last activity. */
  activeMs: number;
}

export const DEFAULT_PRESENCE_TIMINGS: PresenceTimings = {
  idleMs: 5 * 60_000,
  offlineMs: 30_000,
  activeMs: 60_000,
};

/** The `m.presence` content (presence.yaml and event-schemas m.presence). */
export function presenceContent(p: UserPresence, now: number): JsonObject {
  const content: JsonObject = { presence: p.state };
  if (p.lastActiveTs > 0) content.last_active_ago = Math.max(0, now - p.lastActiveTs);
  if (p.statusMsg !== null) content.status_msg = p.statusMsg;
  if (p.state === "online") content.currently_active = p.currentlyActive;
  return content;
}

export class Presence {
  /** Syncs in flight per user in this process. */
  private readonly syncsInFlight = new Map<string, number>();
  /** When each user last started or finished a sync here. */
  private readonly lastSync = new Map<string, number>();
  private readonly startedTs: number;

  constructor(
    private readonly presence: PresenceRepository,
    private readonly rooms: RoomRepository,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    readonly enabled: boolean,
    private readonly timings: PresenceTimings = DEFAULT_PRESENCE_TIMINGS,
  ) {
    this.startedTs = clock.now();
  }

  /** `GET /presence/{userId}/status`: one's own, or of a user one shares a room with (403 otherwise,
   * as Synapse). With presence off, everyone is offline. */
  async get(requester: Requester, userId: string): Promise<JsonObject> {
    if (!this.enabled) return { presence: "offline" };
    if (userId !== requester.userId && !(await this.shareRoom(requester.userId, userId))) {
      throw forbidden("You are not allowed to see their presence");
    }
    const stored = await this.presence.get(userId);
    return stored ? presenceContent(stored, this.clock.now()) : { presence: "offline" };
  }

  /** `PUT /presence/{userId}/status`. A missing status_msg clears it (as Synapse). Counts as the
   * client being connected, so it is not timed out before its first sync. */
  async set(requester: Requester, userId: string, state: PresenceState, statusMsg: string | undefined) {
    if (userId !== requester.userId) throw forbidden("Can only set your own presence state");
    if (!this.enabled) return;
    const now = this.clock.now();
    this.lastSync.set(userId, now);
    const current = await this.presence.get(userId);
    const next: UserPresence = {
      userId,
      state,
      statusMsg: statusMsg ?? null,
      lastActiveTs: state === "online" ? now : (current?.lastActiveTs ?? 0),
      lastSyncTs: now,
      currentlyActive: state === "online",
    };
    await this.write(next, current);
  }

  /**
   * Call when a /sync starts; call the returned function when it ends. `set_presence` online (the
   * default) or unavailable brings an offline user to that state; it never overrides a state the
   * user set (unavailable stays until they say online) and `offline` changes nothing.
   */
  async syncing(userId: string, setPresence: PresenceState | undefined): Promise<() => void> {
    if (!this.enabled) return () => {};
    const now = this.clock.now();
    this.syncsInFlight.set(userId, (this.syncsInFlight.get(userId) ?? 0) + 1);
    this.lastSync.set(userId, now);
    const done = () => {
      const left = (this.syncsInFlight.get(userId) ?? 1) - 1;
      if (left > 0) this.syncsInFlight.set(userId, left);
      else this.syncsInFlight.delete(userId);
      this.lastSync.set(userId, this.clock.now());
    };
    const wanted = setPresence ?? "online";
    if (wanted === "offline") return done;
    const current = await this.presence.get(userId);
    if (current && current.state !== "offline") return done;
    await this.write(
      {
        userId,
        state: wanted,
        statusMsg: current?.statusMsg ?? null,
        lastActiveTs: wanted === "online" ? now : (current?.lastActiveTs ?? 0),
        lastSyncTs: now,
        currentlyActive: wanted === "online",
      },
      current,
    );
    return done;
  }

  /** A pro-active action (typing, a receipt, a message): online and currently active again. The last
   * active time alone is written at most once per `activeMs`, without waking anyone (spec: "the
   * server will not send further updates to the last active time" while currently_active). */
  async active(userId: string): Promise<void> {
    if (!this.enabled) return;
    const now = this.clock.now();
    const current = await this.presence.get(userId);
    if (current?.state === "online" && current.currentlyActive) {
      if (now - current.lastActiveTs < this.timings.activeMs) return;
      await this.presence.put({ ...current, lastActiveTs: now, lastSyncTs: this.lastSyncOf(current) });
      return;
    }
    await this.write(
      {
        userId,
        state: "online",
        statusMsg: current?.statusMsg ?? null,
        lastActiveTs: now,
        lastSyncTs: current ? this.lastSyncOf(current) : now,
        currentlyActive: true,
      },
      current,
    );
  }

  /** The timeouts: offline when not syncing, unavailable when idle, not currently active after a
   * quiet minute. Run periodically by the runtime. */
  async sweep(): Promise<void> {
    if (!this.enabled) return;
    const now = this.clock.now();
    for (const p of await this.presence.notOffline()) {
      const next: UserPresence = { ...p, lastSyncTs: this.lastSyncOf(p) };
      if (!this.syncsInFlight.has(p.userId) && now - next.lastSyncTs > this.timings.offlineMs) {
        next.state = "offline";
        next.currentlyActive = false;
      } else if (p.state === "online" && now - p.lastActiveTs > this.timings.idleMs) {
        next.state = "unavailable";
        next.currentlyActive = false;
      } else if (p.currentlyActive && now - p.lastActiveTs > this.timings.activeMs) {
        next.currentlyActive = false;
      } else {
        continue;
      }
      // Re-read: the user may have acted since the list was taken.
      const latest = await this.presence.get(p.userId);
      if (latest?.streamId !== p.streamId) continue;
      await this.write(next, p);
    }
  }

  /** Whether the users share a joined room. */
  async shareRoom(a: string, b: string): Promise<boolean> {
    const ofA = new Set(joinedRooms(await this.rooms.membershipsOf(a)));
    return joinedRooms(await this.rooms.membershipsOf(b)).some((r) => ofA.has(r));
  }

  private lastSyncOf(p: StoredPresence): number {
    return Math.max(this.lastSync.get(p.userId) ?? 0, p.lastSyncTs, this.startedTs);
  }

  /** Stores a change and wakes the syncs of everyone who shares a room with the user. */
  private async write(next: UserPresence, current: StoredPresence | undefined): Promise<void> {
    const position = await this.presence.put(next);
    if (current && sameVisible(current, next)) return;
    const userIds = new Set([next.userId]);
    for (const roomId of joinedRooms(await this.rooms.membershipsOf(next.userId))) {
      for (const m of await this.rooms.members(roomId, "join")) userIds.add(m.userId);
    }
    this.notifier.notify({ stream: PRESENCE_STREAM, position, userIds: [...userIds] });
  }
}

function joinedRooms(memberships: Array<{ roomId: string; membership: string }>): string[] {
  return memberships.filter((m) => m.membership === "join").map((m) => m.roomId);
}

function sameVisible(a: UserPresence, b: UserPresence): boolean {
  return a.state === b.state && a.statusMsg === b.statusMsg && a.currentlyActive === b.currentlyActive;
}
