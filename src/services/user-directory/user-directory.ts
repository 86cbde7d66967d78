/** The user directory (spec: client-server-api "User Directory", `POST /user_directory/search`). */
import type { UserRepository } from "../../ports/store/users.js";
import type { Requester } from "../accounts/authenticate.js";

export interface DirectoryUser {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
}

/** Most results one search returns, whatever limit the client asks for (as Synapse). */
export const MAX_DIRECTORY_LIMIT = 50;

export class UserDirectory {
  constructor(private readonly users: UserRepository) {}

  /**
   * Active local users whose user ID or display name contains the term, case-insensitively.
   * TODO(rooms): the spec's minimum is users who share a room with the requester or sit in public /
   * world-readable rooms; once rooms exist, decide the visible set from memberships and add remote
   * users seen in rooms. Until then every active local user is visible, which on a server with
   * closed registration is the server's own community.
   */
  async search(
    _requester: Requester,
    term: string,
    limit: number,
  ): Promise<{ results: DirectoryUser[]; limited: boolean }> {
    const wanted = Math.min(Math.max(limit, 0), MAX_DIRECTORY_LIMIT);
    // One more than wanted tells whether the list was cut.
    const found = await this.users.search(term.trim(), wanted + 1);
    const results = found.slice(0, wanted).map((user) => {
      const entry: DirectoryUser = { user_id: user.userId };
      if (user.displayname !== null) entry.display_name = user.displayname;
      if (user.avatarUrl !== null) entry.avatar_url = user.avatarUrl;
      return entry;
    });
    return { results, limited: found.length > wanted };
  }
}
