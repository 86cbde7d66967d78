/** POST /_matrix/client/v3/createRoom (spec: client-server-api "Creation"). */
import { z } from "zod";
import { createRoom } from "../../services/rooms/create-room.js";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const jsonObject = z.record(z.string(), z.unknown());
const userId = z.string().regex(/^@[^:]+:.+$/, "a user ID");

const body = z.object({
  visibility: z.enum(["public", "private"]).optional(),
  room_alias_name: z.string().optional(),
  name: z.string().max(255).optional(),
  topic: z.string().max(4096).optional(),
  invite: z.array(userId).optional(),
  invite_3pid: z.array(z.unknown()).optional(),
  room_version: z.string().optional(),
  creation_content: jsonObject.optional(),
  initial_state: z
    .array(z.object({ type: z.string(), state_key: z.string().optional(), content: jsonObject }))
    .optional(),
  preset: z.enum(["private_chat", "public_chat", "trusted_private_chat"]).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: jsonObject.optional(),
});

export const createRoomEndpoints = (services: Services): Endpoint[] => [
  {
    method: "POST",
    path: "/_matrix/client/v3/createRoom",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const request = await readJson(c, body);
      const creator = requester(c).userId;
      const creatorProfile = await services.rooms.membership.profileOf(creator);
      const create = (canonicalAlias?: string) =>
        createRoom(services.rooms.events, {
          ...request,
          creator,
          creatorProfile,
          creation_content: request.creation_content as never,
          initial_state: request.initial_state as never,
          power_level_content_override: request.power_level_content_override as never,
          canonicalAlias,
        });
      // room_alias_name: the alias is reserved before the room exists (400 M_ROOM_IN_USE if taken).
      const roomId =
        request.room_alias_name === undefined
          ? await create()
          : await services.directory.aliases.withReservedAlias(request.room_alias_name, creator, create);
      if (request.visibility === "public") await services.store.rooms.setPublic(roomId, true);
      return c.json({ room_id: roomId });
    },
  },
];
