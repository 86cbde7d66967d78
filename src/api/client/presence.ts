/** Presence (spec: client-server-api "Presence", presence.yaml). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

const presenceBody = z.object({
  presence: z.enum(["online", "offline", "unavailable"]),
  status_msg: z.string().max(1024).optional(),
});

export const presenceEndpoints = ({ presence }: Services): Endpoint[] => [
  {
    // GET /presence/{userId}/status
    method: "GET",
    path: "/_matrix/client/v3/presence/:userId/status",
    r0: true,
    auth: "user",
    handler: async (c) => c.json(await presence.get(requester(c), pathParam(c, "userId"))),
  },
  {
    // PUT /presence/{userId}/status
    method: "PUT",
    path: "/_matrix/client/v3/presence/:userId/status",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, presenceBody);
      await presence.set(requester(c), pathParam(c, "userId"), body.presence, body.status_msg);
      return c.json({});
    },
  },
];
