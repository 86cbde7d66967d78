/**
 * The full-text index of room events (spec: client-server-api "Server Side Search"). Events are
 * indexed in the same unit of work that persists them and dropped from the index when redacted, so
 * the index never shows what the timeline no longer does. Visibility is the caller's business.
 */
import type { StoredEvent } from "./rooms.js";

/** The keys the spec makes searchable: `content.body` of m.room.message, `content.name` of
 * m.room.name, `content.topic` (and the text/plain `m.topic`) of m.room.topic. */
export type SearchKey = "content.body" | "content.name" | "content.topic";

export interface SearchQuery {
  /** Words (letters and digits only), all of which must match, each also as a prefix. */
  words: string[];
  keys: SearchKey[];
  roomIds: string[];
  order: "rank" | "recent";
  limit: number;
  /** `rank` order: how many hits to skip. */
  offset?: number;
  /** `recent` order: only hits with a lower stream ordering. */
  before?: number;
}

export interface SearchHit {
  event: StoredEvent;
  /** Higher is more relevant; comparable only within one engine. */
  rank: number;
}

export interface SearchRepository {
  /** One page of hits in the requested order, with the total number of hits (ignoring the page). */
  search(query: SearchQuery): Promise<{ hits: SearchHit[]; count: number }>;
}
