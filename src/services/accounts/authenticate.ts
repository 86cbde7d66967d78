/** Resolves an access token to the requester (spec: client-server-api "Using access tokens"). */
import type { Clock } from "../../ports/clock.js";
import type { DeviceRepository } from "../../ports/store/devices.js";
import type { UserRepository } from "../../ports/store/users.js";
import { MatrixError, unknownToken } from "../errors.js";
import { hashToken } from "./tokens.js";

export interface Requester {
  userId: string;
  deviceId: string;
  isAdmin: boolean;
  isGuest: boolean;
  /** SHA-256 of the access token, to log it out. */
  tokenHash: string;
}

/** Device last-seen times are written at most this often, so authenticating stays a read. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export class Authenticator {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly devices: DeviceRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async authenticate(token: string | undefined, ip: string | null): Promise<Requester> {
    if (!token) throw new MatrixError(401, "M_MISSING_TOKEN", "Missing access token");
    const tokenHash = await hashToken(token);
    const owner = await this.devices.ownerOfAccessToken(tokenHash);
    if (!owner) throw unknownToken();
    const now = this.clock.now();
    if (owner.expiresTs !== null && owner.expiresTs <= now)
      throw unknownToken("Access token has expired", true);
    const user = await this.users.get(owner.userId);
    if (!user || user.deactivated) throw unknownToken();
    const touchKey = `${owner.userId}|${owner.deviceId}`;
    if (now - (this.lastTouched.get(touchKey) ?? 0) > TOUCH_INTERVAL_MS) {
      this.lastTouched.set(touchKey, now);
      await this.devices.touch(owner.userId, owner.deviceId, ip, now);
    }
    return {
      userId: owner.userId,
      deviceId: owner.deviceId,
      isAdmin: user.isAdmin,
      isGuest: user.isGuest,
      tokenHash,
    };
  }
}
