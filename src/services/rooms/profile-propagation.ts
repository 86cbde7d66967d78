/**
 * Spec: client-server-api "Profiles", "Events on Change of Profile Information": when a user changes
 * their display name or avatar, the server sends an updated `m.room.member` event (membership join,
 * the new `displayname` / `avatar_url`) into every room the user is joined to.
 */
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import type { EventCreator } from "./event-creator.js";

export interface ProfileFields {
  displayname?: string;
  avatar_url?: string;
}

/** Member content keys that belonged to the original join, not to the user's standing membership:
 * a join's reason, and the restricted-join authorisation another server signed for that join. */
const NOT_CARRIED = ["reason", "join_authorised_via_users_server"];

export class ProfilePropagation {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly events: EventCreator,
    private readonly warn: (message: string, error: unknown) => void = (message, error) =>
      console.warn(message, error),
  ) {}

  /**
   * One room at a time, so a user in many rooms does not take every room lock at once. A room that
   * refuses the event (power levels, a ban racing the change) is logged and skipped: the profile
   * itself has changed either way. If the user leaves a room between reading their membership and
   * the event, the event is a re-join, which the auth rules allow only where the user could join.
   */
  async propagate(userId: string, profile: ProfileFields): Promise<void> {
    const joined = (await this.rooms.membershipsOf(userId)).filter((m) => m.membership === "join");
    for (const { roomId, eventId } of joined) {
      try {
        const current = await this.rooms.getEvent(eventId);
        if (!current) continue;
        const content = updatedContent(current.pdu.content, profile);
        if (!content) continue;
        await this.events.create({
          roomId,
          sender: userId,
          type: "m.room.member",
          stateKey: userId,
          content,
        });
      } catch (error) {
        this.warn(`profile change of ${userId} not sent to ${roomId}`, error);
      }
    }
  }
}

/** The member content with the new profile, or undefined when it already carries it. */
function updatedContent(previous: JsonObject, profile: ProfileFields): JsonObject | undefined {
  const content: JsonObject = { ...previous, membership: "join" };
  for (const key of NOT_CARRIED) delete content[key];
  for (const key of ["displayname", "avatar_url"] as const) {
    const value = profile[key];
    if (value === undefined) delete content[key];
    else content[key] = value;
  }
  const same =
    previous.displayname === content.displayname &&
    previous.avatar_url === content.avatar_url &&
    previous.membership === "join";
  return same ? undefined : content;
}
