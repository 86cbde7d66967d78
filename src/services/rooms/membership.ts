/**
 * Membership changes (spec: client-server-api "Room membership"): invite, join, knock, leave, kick,
 * ban, unban. Each is one `m.room.member` event through the EventCreator; the auth rules decide who
 * may do what, and their reason becomes the 403's message.
 */
import type { UserRepository } from "../../ports/store/users.js";
import type { JsonObject } from "../../protocol/json.js";
import { forbidden, MatrixError } from "../errors.js";
import type { CreatedEvent, EventCreator } from "./event-creator.js";
import type { RoomVersionCache } from "./room-version-cache.js";

export class Membership {
  constructor(
    private readonly events: EventCreator,
    private readonly users: UserRepository,
    private readonly versions: RoomVersionCache,
    private readonly serverName: string,
  ) {}

  /** Joins a room this server knows. Federation joins (rooms only other servers know) plug in here. */
  async join(roomId: string, userId: string, reason?: string, extra: JsonObject = {}): Promise<CreatedEvent> {
    await this.versions.get(roomId);
    return this.change(roomId, userId, userId, "join", reason, {
      ...(await this.profileOf(userId)),
      ...extra,
    });
  }

  async knock(roomId: string, userId: string, reason?: string): Promise<CreatedEvent> {
    const version = await this.versions.get(roomId);
    if (!version.authorization.knocking) {
      throw new MatrixError(400, "M_FORBIDDEN", `Room version ${version.id} does not support knocking`);
    }
    return this.change(roomId, userId, userId, "knock", reason, await this.profileOf(userId));
  }

  async invite(roomId: string, sender: string, target: string, reason?: string, isDirect?: boolean) {
    const content: JsonObject = await this.profileOf(target);
    if (isDirect) content.is_direct = true;
    return this.change(roomId, sender, target, "invite", reason, content);
  }

  leave(roomId: string, userId: string, reason?: string) {
    return this.change(roomId, userId, userId, "leave", reason);
  }

  kick(roomId: string, sender: string, target: string, reason?: string) {
    if (sender === target) throw forbidden("Use /leave to leave a room");
    return this.change(roomId, sender, target, "leave", reason);
  }

  ban(roomId: string, sender: string, target: string, reason?: string) {
    return this.change(roomId, sender, target, "ban", reason);
  }

  unban(roomId: string, sender: string, target: string, reason?: string) {
    return this.change(roomId, sender, target, "leave", reason);
  }

  private async change(
    roomId: string,
    sender: string,
    target: string,
    membership: string,
    reason?: string,
    extra: JsonObject = {},
  ): Promise<CreatedEvent> {
    const content: JsonObject = { ...extra, membership };
    if (reason) content.reason = reason;
    return this.events.create({ roomId, sender, type: "m.room.member", stateKey: target, content });
  }

  /** Member events carry the user's profile, for local users. */
  async profileOf(userId: string): Promise<JsonObject> {
    if (!userId.endsWith(`:${this.serverName}`)) return {};
    const user = await this.users.get(userId);
    const profile: JsonObject = {};
    if (user?.displayname) profile.displayname = user.displayname;
    if (user?.avatarUrl) profile.avatar_url = user.avatarUrl;
    return profile;
  }
}
