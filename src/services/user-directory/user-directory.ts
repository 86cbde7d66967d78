/** The user directory (spec: client-server-api "User Directory", `POST /user_directory/search`). */
import type { DirectoryEntry, UserDirectoryRepository } from "../../ports/store/user-directory.js";
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
  constructor(
    private readonly users: UserRepository,
    private readonly directory: UserDirectoryRepository,
    /** Synapse's `user_directory.search_all_users`: every active local user is visible. */
    private readonly searchAllUsers: boolean,
  ) {}

  /**
   * Users whose user ID or display name contains the term, case-insensitively. The spec's minimum,
   * and the default: users who share a room with the requester and users in public rooms (published,
   * publicly joinable or world-readable, as Synapse), local or remote, with per-room display names
   * matched too. With `searchAllUsers`, every active local user instead. Deactivated users never.
   */
  async search(
    requester: Requester,
    term: string,
    limit: number,
  ): Promise<{ results: DirectoryUser[]; limited: boolean }> {
    const wanted = Math.min(Math.max(limit, 0), MAX_DIRECTORY_LIMIT);
    // One more than wanted tells whether the list was cut.
    const found: DirectoryEntry[] = this.searchAllUsers
      ? await this.users.search(term.trim(), wanted + 1)
      : await this.directory.searchVisible(requester.userId, term.trim(), wanted + 1);
    const results = found.slice(0, wanted).map((user) => {
      const entry: DirectoryUser = { user_id: user.userId };
      if (typeof user.displayname === "string") entry.display_name = user.displayname;
      if (typeof user.avatarUrl === "string") entry.avatar_url = user.avatarUrl;
      return entry;
    });
    return { results, limited: found.length > wanted };
  }
}
