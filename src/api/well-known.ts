/** Server discovery (spec: client-server-api "Server Discovery", server-server-api "Resolving server
 * names"). */
import type { Services } from "../services/services.js";
import type { Endpoint } from "./routes.js";

export const wellKnownEndpoints = ({ config }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/.well-known/matrix/client",
    auth: "none",
    handler: (c) => c.json({ "m.homeserver": { base_url: config.publicBaseUrl } }),
  },
  {
    method: "GET",
    path: "/.well-known/matrix/server",
    auth: "none",
    handler: (c) =>
      config.federationEndpoint
        ? c.json({ "m.server": config.federationEndpoint })
        : c.json({ errcode: "M_NOT_FOUND", error: "No server delegation configured" }, 404),
  },
];
