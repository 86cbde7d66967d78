/**
 * Read receipts and the fully read marker (spec: client-server-api "Receipts", "Read and unread
 * markers"): `POST /rooms/{roomId}/receipt/{receiptType}/{eventId}` and `POST /rooms/{roomId}/read_markers`.
 * Receipts go to the receipts store (the `receipts` stream that /sync follows); the fully read marker
 * is the room account data event `m.fully_read`, which clients cannot set directly.
 */
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { AccountDataRepository } from "../../ports/store/account-data.js";
import type { ReceiptRepository } from "../../ports/store/receipts.js";
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { invalidParam, notFound } from "../errors.js";
import { canSeeEvent, loadVisibilityContext } from "./visibility.js";

export type ReceiptType = "m.read" | "m.read.private" | "m.fully_read";

export class Receipts {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly receipts: ReceiptRepository,
    private readonly accountData: AccountDataRepository,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  /** `/read_markers`: each given marker is set as `/receipt/{type}/{eventId}` would set it. */
  async setMarkers(
    userId: string,
    roomId: string,
    markers: { fullyRead?: string | undefined; read?: string | undefined; readPrivate?: string | undefined },
  ): Promise<void> {
    // Check every event first so a bad one changes nothing.
    const given: Array<[ReceiptType, string]> = [];
    if (markers.fullyRead !== undefined) given.push(["m.fully_read", markers.fullyRead]);
    if (markers.read !== undefined) given.push(["m.read", markers.read]);
    if (markers.readPrivate !== undefined) given.push(["m.read.private", markers.readPrivate]);
    const events = new Map<string, StoredEvent>();
    for (const [, eventId] of given) events.set(eventId, await this.visibleEvent(userId, roomId, eventId));
    for (const [type, eventId] of given) {
      await this.apply(userId, roomId, type, events.get(eventId) as StoredEvent, undefined);
    }
  }

  async send(
    userId: string,
    roomId: string,
    type: ReceiptType,
    eventId: string,
    threadId: string | undefined,
  ): Promise<void> {
    if (threadId !== undefined) {
      if (threadId === "") throw invalidParam("thread_id field must be a non-empty string");
      if (type === "m.fully_read") throw invalidParam("thread_id is not allowed for m.fully_read");
    }
    const event = await this.visibleEvent(userId, roomId, eventId);
    await this.apply(userId, roomId, type, event, threadId);
  }

  /** The event, if it is in the room and the user may see it; 404 otherwise (as for /event). */
  private async visibleEvent(userId: string, roomId: string, eventId: string): Promise<StoredEvent> {
    const event = await this.rooms.getEvent(eventId);
    if (!event || event.roomId !== roomId) throw notFound("Event not found");
    const ctx = await loadVisibilityContext(this.rooms, roomId, userId);
    if (!canSeeEvent(ctx, userId, event)) throw notFound("Event not found");
    return event;
  }

  /** Markers only move forwards: a receipt or marker for an event older than the current one is
   * accepted and ignored, as Synapse does, so a slow client cannot move the user back. */
  private async apply(
    userId: string,
    roomId: string,
    type: ReceiptType,
    event: StoredEvent,
    threadId: string | undefined,
  ): Promise<void> {
    if (type === "m.fully_read") {
      const current = await this.accountData.get(userId, roomId, "m.fully_read");
      if (await this.isAfter(current?.event_id, event)) return;
      const position = await this.accountData.put(userId, roomId, "m.fully_read", {
        event_id: event.eventId,
      });
      this.notifier.notify({ stream: "account_data", position, userIds: [userId] });
      return;
    }
    const current = await this.receipts.get(roomId, userId, type, threadId);
    if (await this.isAfter(current?.eventId, event)) return;
    const receipt = { roomId, userId, receiptType: type, eventId: event.eventId, ts: this.clock.now() };
    const position = await this.receipts.put(threadId === undefined ? receipt : { ...receipt, threadId });
    // Private receipts concern only their owner; public ones everyone in the room.
    this.notifier.notify(
      type === "m.read.private"
        ? { stream: "receipts", position, roomId, userIds: [userId] }
        : { stream: "receipts", position, roomId },
    );
  }

  private async isAfter(currentEventId: unknown, event: StoredEvent): Promise<boolean> {
    if (typeof currentEventId !== "string" || currentEventId === event.eventId) {
      return currentEventId === event.eventId;
    }
    const current = await this.rooms.getEvent(currentEventId);
    return current !== undefined && current.streamOrdering > event.streamOrdering;
  }
}
