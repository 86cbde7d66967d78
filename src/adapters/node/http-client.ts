/**
 * The outbound HttpClient on Node (node:http/https). The host is resolved first and every address
 * checked against the IP range policy; the connection then goes to a checked address (the socket's
 * `lookup` is pinned to it), so a DNS answer that changes between check and connect (rebinding)
 * cannot reach a blocked range. Redirects are followed by hand, each hop checked the same way.
 */
import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import {
  type HttpClient,
  OutboundError,
  type OutboundRequest,
  type OutboundResponse,
} from "../../ports/http-client.js";
import type { IpRangePolicy } from "./ip-range-policy.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class NodeHttpClient implements HttpClient {
  constructor(private readonly policy: IpRangePolicy) {}

  async request(url: string, options: OutboundRequest): Promise<OutboundResponse> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      throw new OutboundError("bad_url", `not a URL: ${url}`);
    }
    let method = options.method ?? "GET";
    let body = options.body;
    for (let hop = 0; ; hop++) {
      const response = await this.once(current, { ...options, method, body }, signal);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || !location || hop >= (options.maxRedirects ?? 0)) return response;
      try {
        current = new URL(location, current);
      } catch {
        throw new OutboundError("bad_url", `bad redirect target: ${location}`);
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
      }
    }
  }

  /** Resolves the host and returns the address to connect to, or refuses. */
  private async resolve(hostname: string): Promise<{ address: string; family: number }> {
    const bare = hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(bare)
      ? [{ address: bare, family: isIP(bare) }]
      : await lookup(bare, { all: true, verbatim: true }).catch((error: Error) => {
          throw new OutboundError("network", `cannot resolve ${bare}: ${error.message}`);
        });
    if (addresses.length === 0) throw new OutboundError("network", `no address for ${bare}`);
    // Every address is checked, not just the one used: a host that also resolves to a blocked
    // address is refused, whatever the resolver's order.
    const blocked = addresses.find((a) => this.policy.isBlocked(a.address));
    if (blocked) throw new OutboundError("blocked", `${bare} resolves to blocked address ${blocked.address}`);
    return addresses[0]!;
  }

  private async once(url: URL, options: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new OutboundError("bad_url", `unsupported scheme ${url.protocol}`);
    }
    if (signal.aborted) throw new OutboundError("timeout", "timed out");
    const target = await this.resolve(url.hostname);
    const pinned: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          target,
        ]);
      } else callback(null, target.address, target.family);
    };
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<OutboundResponse>((resolve, reject) => {
      const request = transport.request(
        url,
        { method: options.method ?? "GET", headers: options.headers, lookup: pinned, signal },
        (response) => {
          const declared = Number(response.headers["content-length"] ?? "0");
          if (declared > options.maxBytes) {
            response.destroy();
            reject(new OutboundError("too_large", `response of ${declared} bytes`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxBytes) {
              response.destroy();
              reject(new OutboundError("too_large", `response over ${options.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on("end", () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
            }
            const bytes = Buffer.concat(chunks);
            resolve({
              status: response.statusCode ?? 0,
              headers,
              url: url.toString(),
              body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
            });
          });
          response.on("error", (error) => reject(toOutbound(error, signal)));
        },
      );
      request.on("error", (error) => reject(toOutbound(error, signal)));
      if (options.body !== undefined) request.write(options.body);
      request.end();
    });
  }
}

function toOutbound(error: Error, signal: AbortSignal): OutboundError {
  if (error instanceof OutboundError) return error;
  if (signal.aborted) return new OutboundError("timeout", "timed out");
  return new OutboundError("network", error.message);
}
