/**
 * Queries over the relations between events (spec: client-server-api "Forming relationships between
 * events"), indexed from `content["m.relates_to"]` when an event is persisted. Every query leaves out
 * redacted children (a redaction breaks the relationship) and children in another room than their
 * parent (such relationships are ignored), and takes the stream ranges the reader may see.
 */
import type { StoredEvent } from "./rooms.js";

/** Stream positions `from` to `to`, both inclusive; `to: null` is open-ended. */
export interface StreamRange {
  from: number;
  to: number | null;
}

export interface RelationQuery {
  /** The parent's room: children elsewhere are not its children. */
  roomId: string;
  relType?: string | undefined;
  eventType?: string | undefined;
  /** The page starts after (direction "f") or before ("b") this position, exclusive. */
  from?: number | undefined;
  /** The page stops at this position, inclusive. */
  to?: number | undefined;
  direction: "f" | "b";
  limit: number;
  /** 1 for direct children; n also follows children of children down to n links, each link
   * matching the filters and the visible ranges. */
  depth: number;
  /** Only children at these positions, when given. */
  visible?: StreamRange[] | undefined;
}

export interface ThreadSummaryRow {
  rootId: string;
  count: number;
  latestEventId: string;
  /** Whether `userId` sent one of the thread's events (the root's sender is the caller's to check). */
  participated: boolean;
}

export interface ThreadListQuery {
  userId: string;
  /** Only threads whose root `userId` sent or in which they replied. */
  participatedOnly: boolean;
  /** Only threads whose latest event is before this position (exclusive). */
  before?: number | undefined;
  limit: number;
  visible?: StreamRange[] | undefined;
}

export interface RelationRepository {
  /** Children of `eventId` in stream order (newest first for "b"). */
  relations(eventId: string, query: RelationQuery): Promise<StoredEvent[]>;
  /** Those of `parentIds` that have a child of one of `relTypes` (redacted or not, visible or not):
   * one index-only read that lets a page nothing relates to skip the aggregation queries. */
  parentsWithChildren(parentIds: string[], relTypes: string[]): Promise<Set<string>>;
  /** Per parent, its valid `m.replace` children (same sender and type, neither a state event, the
   * parent not an edit itself), most recent first by origin_server_ts then event_id, at most
   * `perParent` each (spec: "Server-side aggregation of m.replace relationships"). */
  latestEdits(parentIds: string[], perParent: number, visible?: StreamRange[]): Promise<StoredEvent[]>;
  /** Thread summaries of those parents that are thread roots. */
  threadSummaries(parentIds: string[], userId: string, visible?: StreamRange[]): Promise<ThreadSummaryRow[]>;
  /** `m.reference` children per parent, oldest first, at most `perParent` each. */
  references(
    parentIds: string[],
    perParent: number,
    visible?: StreamRange[],
  ): Promise<Array<{ parentId: string; eventId: string }>>;
  /** An unredacted annotation with this sender, event type and key on `parentId`, if there is one. */
  findAnnotation(parentId: string, sender: string, type: string, key: string): Promise<string | undefined>;
  /** Thread roots of a room by latest activity, newest first, with the position of their latest event. */
  threads(roomId: string, query: ThreadListQuery): Promise<Array<{ rootId: string; latest: number }>>;
}
