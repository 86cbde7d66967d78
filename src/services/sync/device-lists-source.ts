/**
 * The end-to-end encryption parts of /sync (spec: client-server-api "End-to-End Encryption",
 * "Extensions to /sync"): `device_lists.changed/left` since the token, and the syncing device's
 * `device_one_time_keys_count` and `device_unused_fallback_key_types`, sent on every sync so the
 * client tops its keys up in time.
 */
import type { StreamChange } from "../../ports/notifier.js";
import type { StreamRepository } from "../../ports/store/streams.js";
import type { DeviceKeys } from "../e2ee/device-keys.js";
import { DEVICE_LISTS_STREAM, type DeviceLists } from "../e2ee/device-lists.js";
import type { SyncResponse } from "./sync-response.js";
import type { SyncRequest, SyncSource } from "./sync-source.js";

/** The rooms source's token key: membership changes come from the events stream. */
const EVENTS_KEY = "e";

export class DeviceListsSyncSource implements SyncSource {
  readonly key = "dl";
  readonly stream = DEVICE_LISTS_STREAM;

  constructor(
    private readonly deviceLists: DeviceLists,
    private readonly keys: DeviceKeys,
    private readonly streams: StreamRepository,
  ) {}

  current(): Promise<number> {
    return this.streams.current(this.stream);
  }

  /** A change names the users who share a room with whoever changed (device-lists.ts `notify`). */
  concerns(change: StreamChange, userId: string): boolean {
    return !!change.userIds?.includes(userId);
  }

  async collect(request: SyncRequest, response: SyncResponse): Promise<void> {
    const { userId, deviceId } = request.requester;
    response.device_one_time_keys_count = await this.keys.counts(userId, deviceId);
    response.device_unused_fallback_key_types = await this.keys.unusedFallbackKeyTypes(userId, deviceId);
    // An initial sync has no device list changes: the client queries the keys it needs.
    if (request.since === undefined) return;
    const { changed, left } = await this.deviceLists.changes(userId, request.joinedRoomIds, {
      fromEvents: request.since[EVENTS_KEY] ?? 0,
      toEvents: request.now[EVENTS_KEY] ?? 0,
      fromDeviceLists: request.since[this.key] ?? 0,
      toDeviceLists: request.now[this.key] ?? 0,
    });
    response.device_lists.changed.push(...changed);
    response.device_lists.left.push(...left);
  }
}
