/**
 * Issues sessions: a device (new or existing) with an access token, and optionally a refresh token
 * (spec: client-server-api "Refreshing access tokens").
 */
import type { Clock } from "../../ports/clock.js";
import type { DeviceRepository } from "../../ports/store/devices.js";
import type { ServerConfig } from "../config.js";
import { unknownToken } from "../errors.js";
import { hashToken, randomDeviceId, randomToken } from "./tokens.js";

export interface IssuedSession {
  user_id: string;
  device_id: string;
  access_token: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

export class SessionIssuer {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly clock: Clock,
    private readonly config: Pick<ServerConfig, "refreshableAccessTokenLifetimeMs">,
  ) {}

  async issue(options: {
    userId: string;
    deviceId?: string | undefined;
    displayName?: string | undefined;
    refreshable?: boolean | undefined;
  }): Promise<IssuedSession> {
    const now = this.clock.now();
    const deviceId = options.deviceId ?? randomDeviceId();
    const accessToken = randomToken("lat");
    const refreshToken = options.refreshable ? randomToken("latr") : undefined;
    const lifetime = this.config.refreshableAccessTokenLifetimeMs;
    await this.devices.createSession({
      userId: options.userId,
      deviceId,
      displayName: options.displayName ?? null,
      accessTokenHash: await hashToken(accessToken),
      refreshTokenHash: refreshToken ? await hashToken(refreshToken) : null,
      accessExpiresTs: refreshToken ? now + lifetime : null,
      nowTs: now,
    });
    return {
      user_id: options.userId,
      device_id: deviceId,
      access_token: accessToken,
      ...(refreshToken ? { refresh_token: refreshToken, expires_in_ms: lifetime } : {}),
    };
  }

  /** Swaps a refresh token for a new pair; the old refresh token is spent. */
  async refresh(
    refreshToken: string,
  ): Promise<{ access_token: string; refresh_token: string; expires_in_ms: number }> {
    const accessToken = randomToken("lat");
    const nextRefresh = randomToken("latr");
    const lifetime = this.config.refreshableAccessTokenLifetimeMs;
    const rotated = await this.devices.rotateRefreshToken(await hashToken(refreshToken), {
      accessTokenHash: await hashToken(accessToken),
      refreshTokenHash: await hashToken(nextRefresh),
      accessExpiresTs: this.clock.now() + lifetime,
    });
    if (!rotated) {
      throw unknownToken("Unknown refresh token", false);
    }
    return { access_token: accessToken, refresh_token: nextRefresh, expires_in_ms: lifetime };
  }
}
