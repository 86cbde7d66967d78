export interface DeviceRecord {
  userId: string;
  deviceId: string;
  displayName: string | null;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
  createdTs: number;
}

/** The session an access token stands for. */
export interface TokenOwner {
  userId: string;
  deviceId: string;
  /** Epoch ms after which the token is refused with soft_logout, or null for non-expiring tokens. */
  expiresTs: number | null;
}

export interface NewSession {
  userId: string;
  deviceId: string;
  displayName: string | null;
  accessTokenHash: string;
  /** Set when the client opted into refresh tokens. */
  refreshTokenHash: string | null;
  accessExpiresTs: number | null;
  nowTs: number;
}

export interface DeviceRepository {
  /** Creates the device if new (keeping an existing device's name unless one is given) and its tokens,
   * in one unit of work. */
  createSession(session: NewSession): Promise<void>;
  ownerOfAccessToken(tokenHash: string): Promise<TokenOwner | undefined>;
  /** Swaps a refresh token for new tokens atomically; undefined when the refresh token is unknown
   * (or was already used). */
  rotateRefreshToken(
    oldRefreshHash: string,
    next: { accessTokenHash: string; refreshTokenHash: string; accessExpiresTs: number | null },
  ): Promise<{ userId: string; deviceId: string } | undefined>;
  deleteAccessToken(tokenHash: string): Promise<void>;
  list(userId: string): Promise<DeviceRecord[]>;
  get(userId: string, deviceId: string): Promise<DeviceRecord | undefined>;
  setDisplayName(userId: string, deviceId: string, displayName: string | null): Promise<boolean>;
  touch(userId: string, deviceId: string, ip: string | null, nowTs: number): Promise<void>;
  /** Deletes devices and all their tokens. */
  delete(userId: string, deviceIds: string[]): Promise<void>;
  /** Deletes every device of the user except `keepDeviceId` (if given), with their tokens. */
  deleteAllExcept(userId: string, keepDeviceId?: string): Promise<void>;
}
