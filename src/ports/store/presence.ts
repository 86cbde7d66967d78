/**
 * The latest presence of each local user (spec: client-server-api "Presence"), kept so it survives
 * restarts. Each write moves the `presence` stream, which /sync follows.
 */

export type PresenceState = "online" | "unavailable" | "offline";

export interface UserPresence {
  userId: string;
  state: PresenceState;
  statusMsg: string | null;
  /** The last pro-active action of the user (ms since the epoch), 0 when never. */
  lastActiveTs: number;
  /** When the user was last seen syncing (ms since the epoch), 0 when never. */
  lastSyncTs: number;
  /** Shown as `currently_active` while the state is online. */
  currentlyActive: boolean;
}

export interface StoredPresence extends UserPresence {
  /** Position on the presence stream of the last change. */
  streamId: number;
}

export interface PresenceRepository {
  /** Replaces the user's presence; returns the new stream position. */
  put(presence: UserPresence): Promise<number>;
  get(userId: string): Promise<StoredPresence | undefined>;
  /** Presence changed after stream position `since` (all stored when 0), of these users only when
   * given, in stream order. */
  changedSince(since: number, userIds?: string[]): Promise<StoredPresence[]>;
  /** Everyone whose state is not offline: what the idle and offline timers look at. */
  notOffline(): Promise<StoredPresence[]>;
}
