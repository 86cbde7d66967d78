/**
 * Room aliases and the published room directory (spec: client-server-api "Room aliases",
 * data/api/client-server/directory.yaml; "Published room directory", list_public_rooms.yaml).
 */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readJson, readQuery } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const aliasBody = z.object({ room_id: z.string().startsWith("!").max(255) });
const visibilityBody = z.object({ visibility: z.enum(["public", "private"]).default("public") });

const filter = z.object({
  generic_search_term: z.string().max(1000).optional(),
  room_types: z.array(z.string().nullable()).optional(),
});
const publicRoomsBody = z.object({
  limit: z.int().min(0).optional(),
  since: z.string().max(100).optional(),
  filter: filter.optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().optional(),
});
const publicRoomsQuery = z.object({
  limit: z.coerce.number().int().min(0).optional(),
  since: z.string().max(100).optional(),
  server: z.string().max(255).optional(),
});

export const directoryEndpoints = ({ directory }: Services): Endpoint[] => {
  const { aliases, publicRooms } = directory;
  const alias = (c: Ctx) => pathParam(c, "roomAlias");
  return [
    {
      // PUT /directory/room/{roomAlias}
      method: "PUT",
      path: "/_matrix/client/v3/directory/room/:roomAlias",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const { room_id } = await readJson(c, aliasBody);
        await aliases.create(requester(c), alias(c), room_id);
        return c.json({});
      },
    },
    {
      // GET /directory/room/{roomAlias}
      method: "GET",
      path: "/_matrix/client/v3/directory/room/:roomAlias",
      r0: true,
      auth: "optional",
      handler: async (c) => c.json(await aliases.resolve(alias(c))),
    },
    {
      // DELETE /directory/room/{roomAlias}
      method: "DELETE",
      path: "/_matrix/client/v3/directory/room/:roomAlias",
      r0: true,
      auth: "user",
      handler: async (c) => {
        await aliases.delete(requester(c), alias(c));
        return c.json({});
      },
    },
    {
      // GET /rooms/{roomId}/aliases
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/aliases",
      r0: true,
      auth: "user",
      handler: async (c) => c.json({ aliases: await aliases.localAliases(requester(c), roomIdParam(c)) }),
    },
    {
      // GET /directory/list/room/{roomId}
      method: "GET",
      path: "/_matrix/client/v3/directory/list/room/:roomId",
      r0: true,
      auth: "optional",
      handler: async (c) => c.json({ visibility: await publicRooms.visibility(roomIdParam(c)) }),
    },
    {
      // PUT /directory/list/room/{roomId}
      method: "PUT",
      path: "/_matrix/client/v3/directory/list/room/:roomId",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const { visibility } = await readJson(c, visibilityBody);
        await publicRooms.setVisibility(requester(c), roomIdParam(c), visibility);
        return c.json({});
      },
    },
    {
      // GET /publicRooms: the spec lists no authentication for it.
      method: "GET",
      path: "/_matrix/client/v3/publicRooms",
      r0: true,
      auth: "optional",
      handler: async (c) => c.json(await publicRooms.list(readQuery(c, publicRoomsQuery))),
    },
    {
      // POST /publicRooms
      method: "POST",
      path: "/_matrix/client/v3/publicRooms",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const body = await readJson(c, publicRoomsBody);
        return c.json(await publicRooms.list({ ...body, server: c.req.query("server") }));
      },
    },
  ];
};
