/**
 * Token-bucket rate limiting per key (an IP address, a user ID). In memory: each process limits on
 * its own, which is what a limit on abuse needs; it is not a quota.
 */
import type { Clock } from "../../ports/clock.js";
import { MatrixError } from "../errors.js";

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Tokens refilled per second. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  updatedTs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
    private readonly enabled: boolean,
  ) {}

  /** Takes one token for `key`, or throws 429 `M_LIMIT_EXCEEDED` with `retry_after_ms`. */
  take(key: string): void {
    if (!this.enabled) return;
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, updatedTs: now };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.updatedTs) / 1000) * this.limit.perSecond,
    );
    bucket.updatedTs = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1000);
      throw new MatrixError(
        429,
        "M_LIMIT_EXCEEDED",
        "Too many requests",
        { retry_after_ms: retryAfterMs },
        { "Retry-After": String(Math.ceil(retryAfterMs / 1000)) },
      );
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
  }

  /** Drops buckets that have refilled completely: they behave exactly like absent ones. */
  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedTs) / 1000) * this.limit.perSecond >= this.limit.burst) {
        this.buckets.delete(key);
      }
    }
  }
}
