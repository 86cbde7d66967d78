import type { Context } from "hono";
import type { Requester } from "../services/accounts/authenticate.js";

/** Per-request values the middleware sets for handlers. */
export interface AppEnv {
  Variables: {
    /** The authenticated user, on endpoints whose auth is "user" (or "optional" with a token). */
    requester: Requester | undefined;
    /** The route template that matched, e.g. `/_matrix/client/v3/profile/:userId`, for logs and metrics. */
    route: string | undefined;
    /** Largest JSON body this server accepts (config `max_request_body_bytes`). */
    maxBodyBytes: number;
  };
}

export type Ctx = Context<AppEnv>;

/** The client's address as the server saw it (the runtime puts it in a header it controls). */
export function clientIp(c: Ctx): string | null {
  return c.req.header("x-lattice-client-ip") ?? null;
}
