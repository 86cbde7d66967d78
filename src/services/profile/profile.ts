/** User profiles: display name and avatar (spec: client-server-api "Profiles"). */
import type { UserRepository } from "../../ports/store/users.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, notFound } from "../errors.js";

/** Synapse's limits, which clients already live with; the spec only says servers MAY limit fields. */
export const MAX_DISPLAYNAME_LENGTH = 256;
export const MAX_AVATAR_URL_LENGTH = 1000;

/** `mxc://<server-name>/<media-id>`; the media ID is `[A-Za-z0-9_-]+` (spec: "Matrix Content (mxc://)
 * URIs"), the server name a hostname, IPv4 or [IPv6] literal with an optional port. */
const MXC_URI = /^mxc:\/\/[A-Za-z0-9.\-:[\]]+\/[A-Za-z0-9_-]+$/;

export interface Profile {
  displayname?: string;
  avatar_url?: string;
}

export type ProfileField = "displayname" | "avatar_url";

/** Called after a profile change is stored, with the whole new profile: the rooms service sends the
 * updated member events from it (spec: "Events on Change of Profile Information"). */
export type ProfileChanged = (userId: string, profile: Profile) => Promise<void>;

export class Profiles {
  constructor(
    private readonly users: UserRepository,
    private readonly onProfileChanged: ProfileChanged = async () => {},
  ) {}

  /**
   * The profile of a local user; 404 for users this server does not know. Remote users get 404 too
   * until federation can ask their server. Deactivated users keep their profile unless erased.
   */
  async get(userId: string): Promise<Profile> {
    const user = await this.users.get(userId);
    if (!user) throw notFound("Profile not found");
    const profile: Profile = {};
    if (user.displayname !== null) profile.displayname = user.displayname;
    if (user.avatarUrl !== null) profile.avatar_url = user.avatarUrl;
    return profile;
  }

  /** One field; 404 when the user is unknown or has not set it (spec: `GET /profile/{userId}/{keyName}`). */
  async getField(userId: string, field: ProfileField): Promise<string> {
    const value = (await this.get(userId))[field];
    if (value === undefined) throw notFound(`No ${field} for this user`);
    return value;
  }

  /**
   * Sets or (with "" or null) clears one field of the requester's own profile. Values are checked here
   * rather than in the route so every caller (admin API, appservices) gets the same rules.
   */
  async setField(requester: Requester, userId: string, field: ProfileField, value: string | null) {
    if (userId !== requester.userId) throw forbidden("You can only change your own profile");
    const user = await this.users.get(userId);
    if (!user) throw notFound("Profile not found");
    const cleared = value === null || value === "" ? null : value;
    if (cleared !== null) checkField(field, cleared);
    await this.users.setProfile(
      userId,
      field === "displayname" ? { displayname: cleared } : { avatarUrl: cleared },
    );
    const profile: Profile = {};
    const displayname = field === "displayname" ? cleared : user.displayname;
    const avatarUrl = field === "avatar_url" ? cleared : user.avatarUrl;
    if (displayname !== null) profile.displayname = displayname;
    if (avatarUrl !== null) profile.avatar_url = avatarUrl;
    // TODO(presence): the spec also asks for a presence update carrying the new profile.
    await this.onProfileChanged(userId, profile);
  }
}

function checkField(field: ProfileField, value: string): void {
  if (field === "displayname") {
    // Code points, as Synapse counts them, so a name of emoji is not cut at half the length.
    if ([...value].length > MAX_DISPLAYNAME_LENGTH) {
      throw invalidParam(`displayname is longer than ${MAX_DISPLAYNAME_LENGTH} characters`);
    }
    return;
  }
  if (value.length > MAX_AVATAR_URL_LENGTH) {
    throw invalidParam(`avatar_url is longer than ${MAX_AVATAR_URL_LENGTH} characters`);
  }
  if (!MXC_URI.test(value)) throw invalidParam("avatar_url must be an mxc:// URI");
}
