/**
 * The route table. Every endpoint declares its method, path, auth and rate limit once; `mount` wires
 * them into Hono, adds the legacy `r0` alias where the endpoint existed in r0, and keeps the list of
 * known paths so a wrong method gets 405 rather than 404 (spec: "Unrecognised requests").
 */
import type { Hono } from "hono";
import type { Services } from "../services/services.js";
import type { AppEnv, Ctx } from "./env.js";
import { clientIp } from "./env.js";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Endpoint {
  method: Method;
  /** Hono path template, e.g. `/_matrix/client/v3/profile/:userId`. */
  path: string;
  /** Also serve under `/_matrix/client/r0` (for endpoints that existed in r0.6.1). */
  r0?: boolean;
  /** "user": a valid access token is required; "optional": used when present; "none": ignored. */
  auth: "none" | "optional" | "user";
  /** Which per-address limiter guards the endpoint. */
  rateLimit?: keyof Services["rateLimits"];
  handler: (c: Ctx) => Promise<Response> | Response;
}

const R0 = "/_matrix/client/r0";
const V3 = "/_matrix/client/v3";

export function accessToken(c: Ctx): string | undefined {
  const header = c.req.header("authorization");
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  // Deprecated, still sent by older clients and bridges.
  return c.req.query("access_token") ?? undefined;
}

export class RouteTable {
  private readonly patterns: RegExp[] = [];

  constructor(
    private readonly app: Hono<AppEnv>,
    private readonly services: Services,
  ) {}

  mount(endpoints: Endpoint[]): void {
    for (const endpoint of endpoints) {
      const paths = [endpoint.path];
      if (endpoint.r0 && endpoint.path.startsWith(V3)) paths.push(R0 + endpoint.path.slice(V3.length));
      for (const path of paths) {
        this.patterns.push(toRegExp(path));
        this.app.on(endpoint.method, path, async (c) => {
          c.set("route", endpoint.path);
          if (endpoint.rateLimit) {
            this.services.rateLimits[endpoint.rateLimit].take(clientIp(c) ?? "unknown");
          }
          if (endpoint.auth !== "none") {
            const token = accessToken(c);
            if (endpoint.auth === "user" || token) {
              c.set("requester", await this.services.authenticator.authenticate(token, clientIp(c)));
            }
          }
          return endpoint.handler(c);
        });
      }
    }
  }

  /** True when some endpoint serves this path with another method. */
  knows(path: string): boolean {
    return this.patterns.some((p) => p.test(path));
  }
}

function toRegExp(template: string): RegExp {
  const source = template
    .split("/")
    .map((part) => {
      if (part.startsWith(":")) {
        const custom = /\{(.+)\}$/.exec(part);
        return custom ? custom[1] : "[^/]+";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}$`);
}

/** The requester of an endpoint mounted with auth "user". */
export function requester(c: Ctx) {
  const r = c.get("requester");
  if (!r) throw new Error(`route ${c.get("route")} reads the requester but is not mounted with auth "user"`);
  return r;
}
