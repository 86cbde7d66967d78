/**
 * Reads over many rooms at once, for /sync: an initial sync of 500 rooms must not cost thousands of
 * round trips. Each method is one (chunked) statement.
 */
import type { MembershipEntry, StoredEvent } from "./rooms.js";

export interface RoomBatchReads {
  /** The newest `perRoom` events of each room with stream ordering in (after, upTo]. */
  recentEventsInRooms(
    roomIds: string[],
    options: { after?: number | undefined; upTo: number; perRoom: number },
  ): Promise<StoredEvent[]>;
  /** The current state of each room. */
  currentStateOfRooms(roomIds: string[]): Promise<StoredEvent[]>;
  /** Every state event that ever held the user's member slot or the history visibility slot of
   * these rooms, in stream order: what history visibility is decided from. */
  visibilityHistoryOfRooms(roomIds: string[], userId: string): Promise<StoredEvent[]>;
  /** Current memberships of everyone in these rooms (no event bodies). */
  membershipsInRooms(roomIds: string[]): Promise<MembershipEntry[]>;
}
