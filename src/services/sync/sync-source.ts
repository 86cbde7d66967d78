/**
 * One stream's contribution to `/sync`. Each source owns one token key, reads its stream's current
 * position, fills its part of the response, and says which notifier changes concern a user (so an
 * idle long-poll wakes only for its own data).
 */
import type { StreamChange } from "../../ports/notifier.js";
import type { Requester } from "../accounts/authenticate.js";
import type { SyncFilter } from "../filters/filter-schema.js";
import type { SyncResponse } from "./sync-response.js";

export interface SyncRequest {
  requester: Requester;
  filter: SyncFilter;
  fullState: boolean;
  /** MSC4222 `use_state_after`. */
  useStateAfter: boolean;
  /** Positions of the `since` token, or undefined for an initial sync. */
  since: Record<string, number> | undefined;
  /** Positions this response covers up to (inclusive). */
  now: Record<string, number>;
  /** Rooms the user is joined to as of `now` (filled by the rooms source, which runs first). */
  joinedRoomIds: Set<string>;
  /** The joined rooms that are new to this client: all of them on an initial sync, those joined
   * after `since` otherwise (filled by the rooms source). */
  newlyJoinedRoomIds: Set<string>;
  /** The positions the next token carries, `now` unless a source delivered only part of its stream
   * (to-device's per-response limit): that source lowers its own entry to what it delivered. */
  next: Record<string, number>;
}

export interface SyncSource {
  /** Token key, e.g. `e` for room events. Lower-case letters only. */
  key: string;
  /** The stream name the notifier uses. */
  stream: string;
  current(): Promise<number>;
  collect(request: SyncRequest, response: SyncResponse): Promise<void>;
  /** Whether a change on this source's stream concerns the user. */
  concerns(change: StreamChange, userId: string, joinedRoomIds: ReadonlySet<string>): boolean;
}
