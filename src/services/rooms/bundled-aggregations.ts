/**
 * Bundled aggregations (spec: client-server-api "Aggregations of child events"):
 * `unsigned["m.relations"]` of events served to a client, for a whole page at once — one query per
 * kind of relationship, not one per event.
 *
 * - `m.replace`: the whole most recent valid edit (by origin_server_ts, then event_id), never on a
 *   redacted original; the original's content is left as it is ("Server-side aggregation of
 *   m.replace relationships").
 * - `m.thread`: `{latest_event, count, current_user_participated}`, the latest event itself with its
 *   own bundle ("Server-side aggregation of m.thread relationships").
 * - `m.reference`: `{chunk: [{event_id}]}`.
 * - `m.annotation` is not aggregated by the server.
 *
 * Redacted children do not count (a redaction breaks the relationship), children the user may not
 * see do not count, and state events get no bundle.
 */
import type { StreamRange } from "../../ports/store/relations.js";
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { isJsonObject, type JsonObject } from "../../protocol/json.js";
import { type ClientEvent, formatClientEvents } from "./client-event.js";
import type { RoomVersionCache } from "./room-version-cache.js";
import type { VisibilityContext } from "./visibility.js";
import { visibleRanges } from "./visible-ranges.js";

/** Who reads: for `current_user_participated`, and the ranges of history they may see. */
export interface Viewer {
  userId: string;
  visible: StreamRange[];
}

export const viewerOf = (ctx: VisibilityContext, userId: string): Viewer => ({
  userId,
  visible: visibleRanges(ctx, userId),
});

/** The relationship types the server aggregates (`m.annotation` is not). */
const AGGREGATED_WITHOUT_THREADS = ["m.replace", "m.reference"];
export const AGGREGATED_RELATIONS = [...AGGREGATED_WITHOUT_THREADS, "m.thread"];

/** Edits fetched per original at first; more only when all of those lack `m.new_content`. */
const EDITS_PER_PARENT = 3;
const MAX_EDITS_SCANNED = 100;
/** A bundle stays small however many events reference one event. */
const REFERENCES_PER_PARENT = 50;

/** Formats events of one room (the viewer's visible ranges are that room's) for a client, with
 * their bundled aggregations. Sync and search call it once per room. */
export async function formatWithAggregations(
  rooms: RoomRepository,
  versions: RoomVersionCache,
  now: number,
  events: StoredEvent[],
  viewer: Viewer,
  /** Thread summaries nest once: the latest event of a thread gets its own bundle, without threads. */
  withThreads = true,
  /** Which of `events` have children of an aggregated kind, when the caller already read it. */
  known?: ReadonlySet<string>,
): Promise<ClientEvent[]> {
  const formatted = await formatClientEvents(rooms, versions, events, now);
  const candidates = events.filter((e) => e.pdu.state_key === undefined);
  if (candidates.length === 0) return formatted;
  // Most pages have nothing relating to them: one index-only read instead of three aggregations.
  const related =
    known ??
    (await rooms.parentsWithChildren(
      candidates.map((e) => e.eventId),
      withThreads ? AGGREGATED_RELATIONS : AGGREGATED_WITHOUT_THREADS,
    ));
  const parents = candidates.filter((e) => related.has(e.eventId));
  if (parents.length === 0) return formatted;
  const ids = parents.map((e) => e.eventId);
  const [edits, threads, references] = await Promise.all([
    latestValidEdits(
      rooms,
      parents.filter((e) => !e.redactedBy).map((e) => e.eventId),
      viewer.visible,
    ),
    withThreads ? rooms.threadSummaries(ids, viewer.userId, viewer.visible) : Promise.resolve([]),
    rooms.references(ids, REFERENCES_PER_PARENT, viewer.visible),
  ]);
  const latest = threads.length ? await rooms.getEvents(threads.map((t) => t.latestEventId)) : [];
  const [editsFormatted, latestFormatted] = await Promise.all([
    formatClientEvents(rooms, versions, [...edits.values()], now),
    formatWithAggregations(rooms, versions, now, latest, viewer, false),
  ]);
  const byId = (list: ClientEvent[]) => new Map(list.map((e) => [e.event_id, e]));
  const editById = byId(editsFormatted);
  const latestById = byId(latestFormatted);
  const senders = new Map(parents.map((e) => [e.eventId, e.pdu.sender]));

  const bundles = new Map<string, JsonObject>();
  const bundleOf = (id: string) => {
    const bundle = bundles.get(id) ?? {};
    bundles.set(id, bundle);
    return bundle;
  };
  for (const [parentId, edit] of edits) {
    const event = editById.get(edit.eventId);
    if (event) bundleOf(parentId)["m.replace"] = event as unknown as JsonObject;
  }
  for (const t of threads) {
    const event = latestById.get(t.latestEventId);
    if (!event) continue;
    bundleOf(t.rootId)["m.thread"] = {
      latest_event: event as unknown as JsonObject,
      count: t.count,
      current_user_participated: t.participated || senders.get(t.rootId) === viewer.userId,
    };
  }
  const referenced = new Map<string, JsonObject[]>();
  for (const r of references) {
    const list = referenced.get(r.parentId) ?? [];
    list.push({ event_id: r.eventId });
    referenced.set(r.parentId, list);
  }
  for (const [parentId, chunk] of referenced) bundleOf(parentId)["m.reference"] = { chunk };

  for (const event of formatted) {
    const bundle = bundles.get(event.event_id);
    if (bundle) event.unsigned["m.relations"] = bundle;
  }
  return formatted;
}

/** The most recent valid edit of each original: the store checks sender, type, state and room;
 * `m.new_content` is checked here (spec: "Validity of replacement events"). An encrypted edit keeps
 * `m.new_content` in its ciphertext, so the server takes it on trust. */
async function latestValidEdits(
  rooms: RoomRepository,
  parentIds: string[],
  visible: StreamRange[],
): Promise<Map<string, StoredEvent>> {
  const chosen = new Map<string, StoredEvent>();
  if (parentIds.length === 0) return chosen;
  const candidates = await rooms.latestEdits(parentIds, EDITS_PER_PARENT, visible);
  const seen = new Map<string, number>();
  for (const edit of candidates) {
    const parentId = parentOf(edit);
    seen.set(parentId, (seen.get(parentId) ?? 0) + 1);
    if (!chosen.has(parentId) && isValidEdit(edit)) chosen.set(parentId, edit);
  }
  // Rare: every recent edit of an original was malformed; look further back for that one.
  for (const [parentId, count] of seen) {
    if (chosen.has(parentId) || count < EDITS_PER_PARENT) continue;
    const more = await rooms.latestEdits([parentId], MAX_EDITS_SCANNED, visible);
    const valid = more.find(isValidEdit);
    if (valid) chosen.set(parentId, valid);
  }
  return chosen;
}

function parentOf(edit: StoredEvent): string {
  const relatesTo = edit.pdu.content["m.relates_to"];
  return isJsonObject(relatesTo) ? String(relatesTo.event_id) : "";
}

function isValidEdit(edit: StoredEvent): boolean {
  return edit.pdu.type === "m.room.encrypted" || isJsonObject(edit.pdu.content["m.new_content"]);
}
