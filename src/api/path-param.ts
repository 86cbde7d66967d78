/** Path parameters of the route templates (`/profile/:userId`), already percent-decoded by Hono. */
import type { Ctx } from "./env.js";

/** The named parameter of the matched route; a missing one is a route table bug, not a client error. */
export function pathParam(c: Ctx, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new Error(`route ${c.get("route")} has no path parameter ${name}`);
  return value;
}
