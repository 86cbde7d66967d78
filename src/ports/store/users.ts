export interface UserRecord {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  isAdmin: boolean;
  isGuest: boolean;
  deactivated: boolean;
  createdTs: number;
  displayname: string | null;
  avatarUrl: string | null;
}

export interface NewUser {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  isAdmin: boolean;
  isGuest: boolean;
  createdTs: number;
  displayname: string | null;
}

export interface UserRepository {
  /** Inserts the user; false when the user ID is taken (never throws on a race). */
  create(user: NewUser): Promise<boolean>;
  get(userId: string): Promise<UserRecord | undefined>;
  list(options: { limit: number; from?: string }): Promise<UserRecord[]>;
  setPasswordHash(userId: string, passwordHash: string | null): Promise<void>;
  setAdmin(userId: string, isAdmin: boolean): Promise<void>;
  setProfile(
    userId: string,
    fields: { displayname?: string | null; avatarUrl?: string | null },
  ): Promise<void>;
  /** Marks the user deactivated and removes password, devices and tokens in one unit of work. */
  deactivate(userId: string): Promise<void>;
  /** Local users whose user ID or display name contains the term (case-insensitive), active only. */
  search(term: string, limit: number): Promise<UserRecord[]>;
}
