/**
 * The headers every response carries so browser clients work (spec: client-server-api "Web Browser
 * Clients").
 *
 * The runtime puts them on each response it writes (runtime/node/server.ts), not a middleware of the
 * app: setting them on a Hono response turns its plain header record into a WHATWG `Headers` object,
 * which @hono/node-server then copies back into a record — about 0.1 ms per response on the cold
 * path of a woken long-poll, for three constant headers. The app answers the preflight `OPTIONS`.
 */
export const corsHeaders: ReadonlyArray<readonly [name: string, value: string]> = [
  ["Access-Control-Allow-Origin", "*"],
  ["Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"],
  ["Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization"],
];
