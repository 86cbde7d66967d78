/** Typing notifications (spec: client-server-api "Typing Notifications", typing.yaml). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const typingBody = z.object({
  typing: z.boolean(),
  timeout: z.number().int().min(0).optional(),
});

export const typingEndpoints = ({ typing }: Services): Endpoint[] => [
  {
    // PUT /rooms/{roomId}/typing/{userId}
    method: "PUT",
    path: "/_matrix/client/v3/rooms/:roomId/typing/:userId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const roomId = roomIdParam(c);
      const body = await readJson(c, typingBody);
      await typing.set(requester(c), roomId, pathParam(c, "userId"), body.typing, body.timeout);
      return c.json({});
    },
  },
];
