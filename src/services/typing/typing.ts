/**
 * Typing notifications (spec: client-server-api "Typing Notifications"): who is typing in which room,
 * kept in memory by this process with its own stream counter, each user expiring server-side when
 * their timeout passes.
 *
 * The counter starts at the process start time (ms), so tokens issued before a restart stay behind
 * it and are not mistaken for foreign ones; typing state itself does not survive a restart, and a
 * token from before the restart gets every joined room's (empty) typing set once.
 * Scale-out: each process knows only the typing it received; sharing it needs the notifier to carry
 * the set (hook: `apply`).
 */
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden } from "../errors.js";

export const TYPING_STREAM = "typing";
/** Used when a client says typing without a timeout. */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Clients cannot hold the indicator longer than this without renewing it. */
const MAX_TIMEOUT_MS = 120_000;

interface RoomTyping {
  /** Typing user → the timer that ends it. */
  users: Map<string, ReturnType<typeof setTimeout>>;
  /** Stream position of the last change of the set. */
  changedAt: number;
}

export class Typing {
  /** Tokens below this were issued by an earlier process. */
  readonly startPosition: number;
  private position: number;
  private readonly rooms = new Map<string, RoomTyping>();

  constructor(
    private readonly roomStore: RoomRepository,
    private readonly notifier: Notifier,
    clock: Clock,
    /** Typing is activity for presence. */
    private readonly onActivity: (userId: string) => Promise<void> = async () => {},
  ) {
    this.startPosition = clock.now();
    this.position = this.startPosition;
  }

  current(): number {
    return this.position;
  }

  /** `PUT /rooms/{roomId}/typing/{userId}`: only for oneself, only in a room one has joined. */
  async set(
    requester: Requester,
    roomId: string,
    userId: string,
    typing: boolean,
    timeoutMs: number | undefined,
  ): Promise<void> {
    if (userId !== requester.userId) throw forbidden("Cannot set another user's typing state");
    const membership = (await this.roomStore.membershipsOf(userId)).find((m) => m.roomId === roomId);
    if (membership?.membership !== "join") throw forbidden("You are not joined to this room");
    if (typing) this.start(roomId, userId, Math.min(timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS));
    else this.stopTyping(roomId, userId);
    if (typing) await this.onActivity(userId);
  }

  /** The typing sets of these rooms that changed after `since` (every non-empty one when undefined;
   * every one when the token predates this process). */
  changedSince(
    roomIds: Iterable<string>,
    since: number | undefined,
  ): Array<{ roomId: string; userIds: string[] }> {
    const out: Array<{ roomId: string; userIds: string[] }> = [];
    for (const roomId of roomIds) {
      const room = this.rooms.get(roomId);
      const userIds = room ? [...room.users.keys()].sort() : [];
      if (since === undefined) {
        if (userIds.length > 0) out.push({ roomId, userIds });
      } else if (since < this.startPosition || (room && room.changedAt > since)) {
        out.push({ roomId, userIds });
      }
    }
    return out;
  }

  /** Clears every timer, so the process can exit. */
  stop(): void {
    for (const room of this.rooms.values()) for (const timer of room.users.values()) clearTimeout(timer);
    this.rooms.clear();
  }

  private start(roomId: string, userId: string, timeoutMs: number): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { users: new Map(), changedAt: 0 };
      this.rooms.set(roomId, room);
    }
    const existing = room.users.get(userId);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => this.stopTyping(roomId, userId), timeoutMs);
    // Node: a pending expiry must not keep the process alive (other runtimes have no unref).
    (timer as { unref?: () => void }).unref?.();
    room.users.set(userId, timer);
    // Renewing the timeout changes nothing others can see.
    if (!existing) this.changed(roomId, room);
  }

  private stopTyping(roomId: string, userId: string): void {
    const room = this.rooms.get(roomId);
    const timer = room?.users.get(userId);
    if (!room || timer === undefined) return;
    clearTimeout(timer);
    room.users.delete(userId);
    // The room's entry stays when empty: its change position tells syncs behind it that the set
    // is now empty (one small entry per room anyone ever typed in).
    this.changed(roomId, room);
  }

  private changed(roomId: string, room: RoomTyping): void {
    this.position += 1;
    room.changedAt = this.position;
    this.notifier.notify({ stream: TYPING_STREAM, position: this.position, roomId });
  }
}
