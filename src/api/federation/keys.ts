/** GET /_matrix/key/v2/server (spec: server-server-api "Publishing Keys"). */
import { serverKeysResponse } from "../../services/server-keys/server-keys.js";
import type { Services } from "../../services/services.js";
import type { Endpoint } from "../routes.js";

export const keyEndpoints = ({ signer, clock }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/key/v2/server",
    auth: "none",
    handler: async (c) => c.json(await serverKeysResponse(signer, clock)),
  },
];
