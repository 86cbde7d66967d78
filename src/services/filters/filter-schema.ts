/**
 * The filter grammar (spec: client-server-api "Filtering"; data/api/client-server/definitions/
 * sync_filter.yaml, event_filter.yaml, room_event_filter.yaml) as zod schemas. Used to validate
 * uploaded filters (`POST /user/{userId}/filter`) and inline filters (`/sync?filter={...}`,
 * `/messages?filter=...`).
 *
 * Objects are loose: fields the spec does not define (unstable MSC fields such as
 * `org.matrix.msc3874.not_rel_types`) are kept, so a client gets back exactly what it uploaded.
 */
import { z } from "zod";

const strings = z.array(z.string());
/** `format: mx-user-id, pattern: "^@"` in the spec. */
const userIds = z.array(z.string().startsWith("@", "must be a user ID"));
/** `format: mx-room-id, pattern: "^!"` in the spec. */
const roomIds = z.array(z.string().startsWith("!", "must be a room ID"));

/** EventFilter (event_filter.yaml): presence and global account data. */
export const eventFilterSchema = z.looseObject({
  /** "must be an integer greater than 0"; servers clamp it to their own maximum when they apply it. */
  limit: z.int().min(1).optional(),
  types: strings.optional(),
  not_types: strings.optional(),
  senders: userIds.optional(),
  not_senders: userIds.optional(),
});

/** RoomEventFilter (room_event_filter.yaml): timeline, state, ephemeral and room account data. */
export const roomEventFilterSchema = eventFilterSchema.extend({
  unread_thread_notifications: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  rooms: roomIds.optional(),
  not_rooms: roomIds.optional(),
  contains_url: z.boolean().optional(),
});

/** RoomFilter (the `room` property of sync_filter.yaml). */
export const roomFilterSchema = z.looseObject({
  rooms: roomIds.optional(),
  not_rooms: roomIds.optional(),
  include_leave: z.boolean().optional(),
  ephemeral: roomEventFilterSchema.optional(),
  state: roomEventFilterSchema.optional(),
  timeline: roomEventFilterSchema.optional(),
  account_data: roomEventFilterSchema.optional(),
});

/** Filter (sync_filter.yaml): what `POST /user/{userId}/filter` uploads and `/sync` applies. */
export const syncFilterSchema = z.looseObject({
  event_fields: strings.optional(),
  event_format: z.enum(["client", "federation"]).optional(),
  presence: eventFilterSchema.optional(),
  account_data: eventFilterSchema.optional(),
  room: roomFilterSchema.optional(),
});

export type EventFilter = z.infer<typeof eventFilterSchema>;
export type RoomEventFilter = z.infer<typeof roomEventFilterSchema>;
export type RoomFilter = z.infer<typeof roomFilterSchema>;
export type SyncFilter = z.infer<typeof syncFilterSchema>;
