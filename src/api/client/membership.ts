/** Room membership endpoints (spec: client-server-api "Room membership"). */
import { z } from "zod";
import { forbidden } from "../../services/errors.js";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readJson } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam, userIdBody } from "./rooms-schemas.js";

const reasonBody = z.object({ reason: z.string().max(4096).optional() });
const targetBody = z.object({ user_id: z.string(), reason: z.string().max(4096).optional() });

export const membershipEndpoints = ({ rooms, directory }: Services): Endpoint[] => {
  const { membership } = rooms;
  /** `{roomIdOrAlias}`: an alias resolves through the room directory (another server's alias: 404
   * until federation queries plug into RoomAliases.resolve). */
  const resolveRoom = (c: Ctx): Promise<string> =>
    directory.aliases.resolveRoomIdOrAlias(c.req.param("roomIdOrAlias") ?? "");
  const onTarget =
    (action: "invite" | "kick" | "ban" | "unban") =>
    async (c: Ctx): Promise<Response> => {
      const roomId = roomIdParam(c);
      const body = await readJson(c, targetBody);
      const target = userIdBody(body.user_id);
      const sender = requester(c).userId;
      await membership[action](roomId, sender, target, body.reason);
      return c.json({});
    };
  return [
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/join",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const roomId = roomIdParam(c);
        const { reason } = await readJson(c, reasonBody);
        await membership.join(roomId, requester(c).userId, reason);
        return c.json({ room_id: roomId });
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/join/:roomIdOrAlias",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const roomId = await resolveRoom(c);
        const { reason } = await readJson(c, reasonBody);
        await membership.join(roomId, requester(c).userId, reason);
        return c.json({ room_id: roomId });
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/knock/:roomIdOrAlias",
      auth: "user",
      handler: async (c) => {
        const roomId = await resolveRoom(c);
        const { reason } = await readJson(c, reasonBody);
        await membership.knock(roomId, requester(c).userId, reason);
        return c.json({ room_id: roomId });
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/leave",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const roomId = roomIdParam(c);
        const { reason } = await readJson(c, reasonBody);
        await membership.leave(roomId, requester(c).userId, reason);
        return c.json({});
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/invite",
      r0: true,
      auth: "user",
      handler: onTarget("invite"),
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/kick",
      r0: true,
      auth: "user",
      handler: onTarget("kick"),
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/ban",
      r0: true,
      auth: "user",
      handler: onTarget("ban"),
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/unban",
      r0: true,
      auth: "user",
      handler: onTarget("unban"),
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/joined_rooms",
      r0: true,
      auth: "user",
      handler: async (c) => c.json({ joined_rooms: await rooms.reader.joinedRooms(requester(c).userId) }),
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/forget",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const roomId = roomIdParam(c);
        const mine = (await rooms.reader.joinedRooms(requester(c).userId)).includes(roomId);
        if (mine) throw forbidden("You must leave the room before forgetting it");
        return c.json({});
      },
    },
  ];
};
