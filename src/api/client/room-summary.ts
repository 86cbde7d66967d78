/**
 * Room summaries and the space hierarchy (spec: client-server-api "Room Summaries",
 * room_summary.yaml, MSC3266; "Spaces", space_hierarchy.yaml, MSC2946).
 */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readQuery } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const hierarchyQuery = z.object({
  max_depth: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  from: z.string().max(1000).optional(),
  suggested_only: z.enum(["true", "false"]).optional(),
});

export const roomSummaryEndpoints = ({ directory }: Services): Endpoint[] => {
  /** Unauthenticated callers get public, knockable and world-readable rooms, without membership. */
  const summary = async (c: Ctx) =>
    c.json(await directory.summaries.summary(pathParam(c, "roomIdOrAlias"), c.get("requester")?.userId));
  return [
    {
      // GET /_matrix/client/v1/room_summary/{roomIdOrAlias} (v1.15)
      method: "GET",
      path: "/_matrix/client/v1/room_summary/:roomIdOrAlias",
      auth: "optional",
      handler: summary,
    },
    {
      // MSC3266's unstable path.
      method: "GET",
      path: "/_matrix/client/unstable/im.nheko.summary/summary/:roomIdOrAlias",
      auth: "optional",
      handler: summary,
    },
    {
      // The MSC's first unstable path, which Element still calls.
      method: "GET",
      path: "/_matrix/client/unstable/im.nheko.summary/rooms/:roomIdOrAlias/summary",
      auth: "optional",
      handler: summary,
    },
    {
      // GET /_matrix/client/v1/rooms/{roomId}/hierarchy (v1.2)
      method: "GET",
      path: "/_matrix/client/v1/rooms/:roomId/hierarchy",
      auth: "user",
      handler: async (c) => {
        const query = readQuery(c, hierarchyQuery);
        return c.json(
          await directory.hierarchy.hierarchy(roomIdParam(c), requester(c).userId, {
            maxDepth: query.max_depth,
            limit: query.limit,
            from: query.from,
            suggestedOnly: query.suggested_only === "true",
          }),
        );
      },
    },
  ];
};
