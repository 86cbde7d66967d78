/** Relationships between events and threads (spec: client-server-api "Relationships API", threading
 * "Querying threads in a room"). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

/** Pages are capped so one request cannot ask for every child at once; defaults as Synapse's. */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 5;

const limit = z.coerce.number().int().min(1).default(DEFAULT_LIMIT);

const relationsQuery = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  dir: z.enum(["f", "b"]).default("b"),
  limit,
  recurse: z.enum(["true", "false"]).optional(),
});

const threadsQuery = z.object({
  include: z.enum(["all", "participated"]).default("all"),
  from: z.string().optional(),
  limit,
});

const V1 = "/_matrix/client/v1/rooms/:roomId";

export const relationEndpoints = ({ rooms }: Services): Endpoint[] => {
  /** `GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]` */
  const relations = async (c: Ctx) => {
    const q = readQuery(c, relationsQuery);
    return c.json(
      await rooms.relations.children(roomIdParam(c), requester(c).userId, c.req.param("eventId") ?? "", {
        relType: c.req.param("relType"),
        eventType: c.req.param("eventType"),
        from: q.from,
        to: q.to,
        dir: q.dir,
        limit: Math.min(q.limit, MAX_LIMIT),
        recurse: q.recurse === undefined ? undefined : q.recurse === "true",
      }),
    );
  };
  return [
    { method: "GET", path: `${V1}/relations/:eventId`, auth: "user", handler: relations },
    { method: "GET", path: `${V1}/relations/:eventId/:relType`, auth: "user", handler: relations },
    {
      method: "GET",
      path: `${V1}/relations/:eventId/:relType/:eventType`,
      auth: "user",
      handler: relations,
    },
    {
      // GET /_matrix/client/v1/rooms/{roomId}/threads
      method: "GET",
      path: `${V1}/threads`,
      auth: "user",
      handler: async (c) => {
        const q = readQuery(c, threadsQuery);
        return c.json(
          await rooms.relations.threads(roomIdParam(c), requester(c).userId, {
            include: q.include,
            from: q.from,
            limit: Math.min(q.limit, MAX_LIMIT),
          }),
        );
      },
    },
  ];
};
