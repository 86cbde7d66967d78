/** The `/sync` response (spec: client-server-api "Syncing", data/api/client-server/sync.yaml), built
 * up by the sync sources. */
import type { JsonObject } from "../../protocol/json.js";
import type { ClientEvent } from "../rooms/client-event.js";

export interface StrippedStateEvent {
  type: string;
  state_key: string;
  content: JsonObject;
  sender: string;
}

export interface JoinedRoom {
  timeline?: { events: ClientEvent[]; limited: boolean; prev_batch?: string };
  state?: { events: ClientEvent[] };
  /** MSC4222: the state at the end of the timeline, instead of `state`, when the client asks. */
  "org.matrix.msc4222.state_after"?: { events: ClientEvent[] };
  ephemeral?: { events: JsonObject[] };
  account_data?: { events: JsonObject[] };
  summary?: JsonObject;
  unread_notifications?: { highlight_count: number; notification_count: number };
  unread_thread_notifications?: Record<string, { highlight_count: number; notification_count: number }>;
}

export interface SyncResponse {
  next_batch: string;
  rooms: {
    join: Record<string, JoinedRoom>;
    invite: Record<string, { invite_state: { events: StrippedStateEvent[] } }>;
    leave: Record<string, JoinedRoom>;
    knock: Record<string, { knock_state: { events: StrippedStateEvent[] } }>;
  };
  presence: { events: JsonObject[] };
  account_data: { events: JsonObject[] };
  to_device: { events: JsonObject[] };
  device_lists: { changed: string[]; left: string[] };
  device_one_time_keys_count: Record<string, number>;
  device_unused_fallback_key_types: string[];
}

export function emptySyncResponse(): SyncResponse {
  return {
    next_batch: "",
    rooms: { join: {}, invite: {}, leave: {}, knock: {} },
    presence: { events: [] },
    account_data: { events: [] },
    to_device: { events: [] },
    device_lists: { changed: [], left: [] },
    device_one_time_keys_count: {},
    device_unused_fallback_key_types: [],
  };
}

/** The joined room entry, created on first use. */
export function joinedRoom(response: SyncResponse, roomId: string): JoinedRoom {
  let room = response.rooms.join[roomId];
  if (!room) {
    room = {};
    response.rooms.join[roomId] = room;
  }
  return room;
}
