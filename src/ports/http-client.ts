/**
 * Outbound HTTP: URL previews now, federation and push gateways later. Every adapter resolves the
 * host first and refuses when any of its addresses is in the IP range blocklist (and not in the
 * allowlist), re-checks every redirect hop, and connects only to a checked address, so no caller can
 * forget the blocklist and DNS rebinding cannot slip past it.
 */

export interface OutboundRequest {
  method?: "GET" | "HEAD" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** The body is cut off and the request fails with `OutboundError("too_large")` past this. */
  maxBytes: number;
  /** The whole exchange, redirects included, fails with `OutboundError("timeout")` past this. */
  timeoutMs: number;
  /** Redirects followed (each target checked like the first); 0 returns the 3xx itself. */
  maxRedirects?: number;
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** The URL after redirects. */
  url: string;
  body: Uint8Array;
}

export type OutboundFailure = "blocked" | "too_large" | "timeout" | "network" | "bad_url";

export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    message: string,
  ) {
    super(message);
    this.name = "OutboundError";
  }
}

export interface HttpClient {
  request(url: string, options: OutboundRequest): Promise<OutboundResponse>;
}
