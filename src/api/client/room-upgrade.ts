/** POST /_matrix/client/v3/rooms/{roomId}/upgrade (spec: client-server-api "Room Upgrades",
 * room_upgrades.yaml). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const upgradeBody = z.object({
  new_version: z.string().min(1).max(64),
  additional_creators: z.array(z.string().max(255)).max(100).optional(),
});

export const roomUpgradeEndpoints = ({ directory }: Services): Endpoint[] => [
  {
    method: "POST",
    path: "/_matrix/client/v3/rooms/:roomId/upgrade",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, upgradeBody);
      const replacement = await directory.upgrades.upgrade(
        requester(c),
        roomIdParam(c),
        body.new_version,
        body.additional_creators,
      );
      return c.json({ replacement_room: replacement });
    },
  },
];
