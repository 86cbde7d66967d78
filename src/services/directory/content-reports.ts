/**
 * Reporting content (spec: client-server-api "Reporting content", data/api/client-server/
 * report_content.yaml): reports of events, rooms and users, stored for the server's administrators.
 * An event report needs the reporter joined to the room and able to see the event (404 otherwise,
 * the same answer as for an unknown event); room and user reports need no membership.
 */
import type { Clock } from "../../ports/clock.js";
import type { DirectoryRepository, ReportRecord } from "../../ports/store/directory.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { UserRepository } from "../../ports/store/users.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, notFound } from "../errors.js";
import { canSeeEvent, currentMembership, loadVisibilityContext } from "../rooms/visibility.js";

export class ContentReports {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly rooms: RoomRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly serverName: string,
  ) {}

  async reportEvent(
    requester: Requester,
    roomId: string,
    eventId: string,
    reason: string | undefined,
    score: number | undefined,
  ): Promise<void> {
    // The score was removed in v1.18; older clients still send it in its old range.
    if (score !== undefined && (!Number.isInteger(score) || score < -100 || score > 0)) {
      throw invalidParam("score must be an integer between -100 and 0");
    }
    const missing = notFound("The event was not found or you are not joined to the room");
    const event = await this.rooms.getEvent(eventId);
    if (!event || event.roomId !== roomId) throw missing;
    const ctx = await loadVisibilityContext(this.rooms, roomId, requester.userId);
    if (currentMembership(ctx) !== "join" || !canSeeEvent(ctx, requester.userId, event)) throw missing;
    await this.directory.addReport({
      kind: "event",
      reporter: requester.userId,
      roomId,
      eventId,
      targetUserId: event.pdu.sender,
      reason: reason ?? null,
      score: score ?? null,
      createdTs: this.clock.now(),
    });
  }

  async reportRoom(requester: Requester, roomId: string, reason: string): Promise<void> {
    if (!(await this.rooms.getRoom(roomId))) throw notFound("The room was not found");
    await this.directory.addReport({
      kind: "room",
      reporter: requester.userId,
      roomId,
      eventId: null,
      targetUserId: null,
      reason,
      score: null,
      createdTs: this.clock.now(),
    });
  }

  /** The reports, newest first, for server admins (403 for anyone else). */
  async list(
    requester: Requester,
    options: { kind: ReportRecord["kind"]; limit: number; before?: number | undefined },
  ): Promise<ReportRecord[]> {
    if (!requester.isAdmin) throw forbidden("You are not a server admin");
    const { before, ...rest } = options;
    return this.directory.listReports(before === undefined ? rest : { ...rest, before });
  }

  /** Local users must exist; other servers' users are taken on trust (nothing here can check them). */
  async reportUser(requester: Requester, userId: string, reason: string): Promise<void> {
    if (userId.endsWith(`:${this.serverName}`) && !(await this.users.get(userId))) {
      throw notFound("The user was not found");
    }
    await this.directory.addReport({
      kind: "user",
      reporter: requester.userId,
      roomId: null,
      eventId: null,
      targetUserId: userId,
      reason,
      score: null,
      createdTs: this.clock.now(),
    });
  }
}
