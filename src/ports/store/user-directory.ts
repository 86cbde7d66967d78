/** What the user directory reads (spec: client-server-api "User Directory"). */

export interface DirectoryEntry {
  userId: string;
  displayname: string | null;
  avatarUrl: string | null;
}

export interface UserDirectoryRepository {
  /**
   * Users `requester` may find, whose user ID or a display name contains `term` (case-insensitive,
   * taken literally), ordered by user ID, at most `limit`. Visible are: the requester; users joined
   * to a room the requester is joined to; users joined to a public room — published in the room
   * directory, with join rule `public`, or with `world_readable` history (as Synapse). A display name
   * is the local user's profile or, in those rooms, the one in the user's member event. Deactivated
   * local users never appear. Local users are returned with their profile, remote users with the
   * name and avatar of one of their member events.
   */
  searchVisible(requester: string, term: string, limit: number): Promise<DirectoryEntry[]>;
}
