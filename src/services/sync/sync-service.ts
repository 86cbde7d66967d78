/**
 * `GET /sync` (spec: client-server-api "Syncing"). Each stream is a SyncSource; a token is the tuple
 * of their positions. An incremental sync with nothing new waits on the Notifier — no database
 * queries while it waits — until a change concerning the user arrives or the timeout passes.
 */
import type { Notifier, StreamChange } from "../../ports/notifier.js";
import type { Requester } from "../accounts/authenticate.js";
import type { SyncFilter } from "../filters/filter-schema.js";
import { emptySyncResponse, type SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";
import { decodeSyncToken, encodeSyncToken, invalidToken, type StreamPositions } from "./sync-token.js";

/** Long-polls are capped so proxies and clients never see a request hang for minutes. */
export const MAX_TIMEOUT_MS = 60_000;

export interface SyncOptions {
  since?: string | undefined;
  filter: SyncFilter;
  timeoutMs: number;
  fullState: boolean;
  useStateAfter: boolean;
}

export class SyncService {
  constructor(
    /** The rooms source must come first: it fills `joinedRoomIds` for the others. */
    private readonly sources: SyncSource[],
    private readonly notifier: Notifier,
  ) {
    // Two sources on one token key would read each other's positions: fail at start-up, not in sync.
    const keys = new Set<string>();
    for (const { key } of sources) {
      if (keys.has(key)) throw new Error(`two sync sources use the token key "${key}"`);
      keys.add(key);
    }
  }

  async sync(requester: Requester, options: SyncOptions): Promise<SyncResponse> {
    const since = options.since === undefined ? undefined : decodeSyncToken(options.since);
    // Listen before reading positions, so a change that lands while the response is being built
    // is not missed by the wait below.
    const seen: StreamChange[] = [];
    const stopRecording = this.notifier.subscribe((change) => seen.push(change));
    try {
      let now = await this.positions();
      if (since) this.assertIssuedHere(options.since as string, since, now);
      let built = await this.build(requester, options, since, now);
      if (since && !options.fullState && isEmpty(built.response) && options.timeoutMs > 0) {
        const userId = requester.userId;
        const concerns = (change: StreamChange) => this.concerns(change, userId, built.joinedRoomIds);
        const changed =
          seen.some(concerns) || (await this.waitFor(concerns, Math.min(options.timeoutMs, MAX_TIMEOUT_MS)));
        if (changed) {
          now = this.advanced(now, seen);
          built = await this.build(requester, options, since, now);
        }
      }
      return built.response;
    } finally {
      stopRecording();
    }
  }

  private async build(
    requester: Requester,
    options: SyncOptions,
    since: StreamPositions | undefined,
    now: StreamPositions,
  ): Promise<{ response: SyncResponse; joinedRoomIds: Set<string> }> {
    const response = emptySyncResponse();
    const request: SyncRequest = {
      requester,
      filter: options.filter,
      fullState: options.fullState,
      useStateAfter: options.useStateAfter,
      since,
      now,
      joinedRoomIds: new Set(),
      newlyJoinedRoomIds: new Set(),
      next: { ...now },
    };
    for (const source of this.sources) await source.collect(request, response);
    response.next_batch = encodeSyncToken(request.next);
    return { response, joinedRoomIds: request.joinedRoomIds };
  }

  private concerns(change: StreamChange, userId: string, joinedRoomIds: ReadonlySet<string>): boolean {
    return this.sources.some((s) => s.stream === change.stream && s.concerns(change, userId, joinedRoomIds));
  }

  /**
   * The positions after the changes seen, without reading the database: a writer notifies only
   * after its change committed, at the position it took, and positions are taken in commit order,
   * so everything up to a notified position is readable. A stream that moved without a
   * notification seen here keeps its earlier position: the next sync picks it up.
   */
  private advanced(now: StreamPositions, changes: StreamChange[]): StreamPositions {
    const next = { ...now };
    for (const change of changes) {
      for (const s of this.sources) {
        if (s.stream === change.stream && change.position > (next[s.key] ?? 0)) next[s.key] = change.position;
      }
    }
    return next;
  }

  private async positions(): Promise<StreamPositions> {
    const positions: StreamPositions = {};
    await Promise.all(
      this.sources.map(async (s) => {
        positions[s.key] = await s.current();
      }),
    );
    return positions;
  }

  /** A token whose positions are ahead of this server's streams was not issued here (or the
   * database was replaced): say so rather than silently resyncing. */
  private assertIssuedHere(token: string, since: StreamPositions, now: StreamPositions): void {
    for (const [key, position] of Object.entries(since)) {
      if (!(key in now) || position > (now[key] as number)) throw invalidToken(token);
    }
  }

  /** Whether a change concerning the user arrives within `timeoutMs` (every change meanwhile is
   * recorded by the caller's subscription too). */
  private waitFor(concerns: (change: StreamChange) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let unsubscribe = () => {};
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(false);
      }, timeoutMs);
      unsubscribe = this.notifier.subscribe((change) => {
        if (!concerns(change)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(true);
      });
    });
  }
}

function isEmpty(r: SyncResponse): boolean {
  return (
    Object.keys(r.rooms.join).length === 0 &&
    Object.keys(r.rooms.invite).length === 0 &&
    Object.keys(r.rooms.leave).length === 0 &&
    Object.keys(r.rooms.knock).length === 0 &&
    r.presence.events.length === 0 &&
    r.account_data.events.length === 0 &&
    r.to_device.events.length === 0 &&
    r.device_lists.changed.length === 0 &&
    r.device_lists.left.length === 0
  );
}
