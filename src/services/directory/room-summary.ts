/**
 * Room summaries (spec: client-server-api "Room Summaries", data/api/client-server/room_summary.yaml;
 * MSC3266): what a client shows before joining. Local rooms only; a room known only to other servers
 * would be summarised over federation (the `via` servers), which plugs in here.
 */
import { notFound } from "../errors.js";
import type { RoomAliases } from "./aliases.js";
import type { RoomAccess } from "./room-access.js";
import type { RoomDescriber, RoomDescription } from "./room-description.js";

export type RoomSummary = RoomDescription & { membership?: string };

export class RoomSummaries {
  constructor(
    private readonly aliases: RoomAliases,
    private readonly access: RoomAccess,
    private readonly describer: RoomDescriber,
  ) {}

  /** The summary for a requester (undefined: unauthenticated). A room the requester may not see is
   * 404, as an unknown one is, so the endpoint does not reveal which private rooms exist. */
  async summary(roomIdOrAlias: string, userId: string | undefined): Promise<RoomSummary> {
    let roomId: string;
    let verdict: Awaited<ReturnType<RoomAccess["maySee"]>>;
    try {
      roomId = await this.aliases.resolveRoomIdOrAlias(roomIdOrAlias);
      verdict = await this.access.maySee(roomId, userId);
    } catch (error) {
      if (error instanceof Error && "errcode" in error && error.errcode === "M_NOT_FOUND") {
        throw notFound("Room not found or is not accessible");
      }
      throw error;
    }
    if (!verdict.allowed) throw notFound("Room not found or is not accessible");
    const summary: RoomSummary = await this.describer.describe(roomId);
    if (verdict.state.membership !== undefined) summary.membership = verdict.state.membership;
    return summary;
  }
}
