/** Resolves an access token to the requester (spec: client-server-api "Using access tokens"). */
import type { Clock } from "../../ports/clock.js";
import type { DeviceRepository, TokenOwner } from "../../ports/store/devices.js";
import type { UserRepository } from "../../ports/store/users.js";
import type { Store } from "../../ports/store.js";
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

/** How long a resolved token is trusted without asking the database again; see SessionCache. */
const SESSION_CACHE_TTL_MS = 10_000;
const MAX_CACHED_SESSIONS = 50_000;

interface CachedSession {
  tokenHash: string;
  owner: TokenOwner;
  isAdmin: boolean;
  isGuest: boolean;
  cachedAt: number;
}

/** Store methods that change no session, user flag or device: all other methods of these
 * repositories forget every cached session when they finish (see SessionCache.watching). */
const SESSION_NEUTRAL: Record<"devices" | "users" | "dehydratedDevices", ReadonlySet<string>> = {
  devices: new Set(["ownerOfAccessToken", "list", "get", "touch", "setDisplayName", "createSession"]),
  users: new Set(["get", "list", "search", "setProfile", "create"]),
  dehydratedDevices: new Set(["get"]),
};

/**
 * Access tokens resolved recently (owner, expiry, the user's admin and guest flags), so a request
 * costs no database reads. Keyed by the token itself, so a cached one is not even hashed again
 * (the hash protects tokens at rest; this memory holds them while a request runs anyway).
 *
 * Every write this process makes that can end a session or change those flags (logout, device
 * deletion, deactivation, password change, refresh-token rotation, admin changes) goes through
 * `watching(store)` and forgets all cached sessions before it returns: a deleted device's token is
 * refused by the very next request. A generation counter keeps a lookup that raced such a write
 * from caching what it read before the write.
 *
 * Several processes on one database (PostgreSQL scale-out) do not see each other's writes here: a
 * token another process deleted, or a user it deactivated, stays accepted by this process for at
 * most SESSION_CACHE_TTL_MS.
 */
export class SessionCache {
  private readonly sessions = new Map<string, CachedSession>();
  private generation = 0;

  constructor(private readonly ttlMs = SESSION_CACHE_TTL_MS) {}

  get(token: string, now: number): CachedSession | undefined {
    const session = this.sessions.get(token);
    if (session && now - session.cachedAt >= this.ttlMs) {
      this.sessions.delete(token);
      return undefined;
    }
    return session;
  }

  /** The generation to hand back to `set`: a session read before a forgetting write is not kept. */
  get current(): number {
    return this.generation;
  }

  set(token: string, session: CachedSession, generation: number): void {
    if (generation !== this.generation) return;
    if (this.sessions.size >= MAX_CACHED_SESSIONS) this.sessions.clear();
    this.sessions.set(token, session);
  }

  forgetAll(): void {
    this.generation++;
    this.sessions.clear();
  }

  /** The store, with every session-changing write of the devices, users and dehydrated devices
   * repositories forgetting the cache once it is done (or has failed). */
  watching(store: Store): Store {
    const wrapped = new Map<string | symbol, unknown>();
    for (const name of ["devices", "users", "dehydratedDevices"] as const) {
      wrapped.set(name, this.watchRepository(store[name] as object, SESSION_NEUTRAL[name]));
    }
    return new Proxy(store, {
      get: (target, prop, receiver) =>
        wrapped.has(prop) ? wrapped.get(prop) : Reflect.get(target, prop, receiver),
    });
  }

  private watchRepository<R extends object>(repository: R, neutral: ReadonlySet<string>): R {
    return new Proxy(repository, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (typeof prop === "string" && neutral.has(prop)) return value.bind(target);
        return async (...args: unknown[]) => {
          try {
            return await value.apply(target, args);
          } finally {
            this.forgetAll();
          }
        };
      },
    });
  }
}

export class Authenticator {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly devices: DeviceRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly sessions: SessionCache = new SessionCache(0),
  ) {}

  async authenticate(token: string | undefined, ip: string | null): Promise<Requester> {
    if (!token) throw new MatrixError(401, "M_MISSING_TOKEN", "Missing access token");
    const now = this.clock.now();
    let session = this.sessions.get(token, now);
    if (!session) {
      const generation = this.sessions.current;
      const tokenHash = await hashToken(token);
      const owner = await this.devices.ownerOfAccessToken(tokenHash);
      if (!owner) throw unknownToken();
      const user = await this.users.get(owner.userId);
      if (!user || user.deactivated) throw unknownToken();
      session = { tokenHash, owner, isAdmin: user.isAdmin, isGuest: user.isGuest, cachedAt: now };
      this.sessions.set(token, session, generation);
    }
    const { owner, tokenHash } = session;
    if (owner.expiresTs !== null && owner.expiresTs <= now)
      throw unknownToken("Access token has expired", true);
    const touchKey = `${owner.userId}|${owner.deviceId}`;
    if (now - (this.lastTouched.get(touchKey) ?? 0) > TOUCH_INTERVAL_MS) {
      this.lastTouched.set(touchKey, now);
      await this.devices.touch(owner.userId, owner.deviceId, ip, now);
    }
    return {
      userId: owner.userId,
      deviceId: owner.deviceId,
      isAdmin: session.isAdmin,
      isGuest: session.isGuest,
      tokenHash,
    };
  }
}
