/** History and members (spec: client-server-api "Getting events for a room", "Room membership"). */
import { z } from "zod";
import { roomEventFilterSchema } from "../../services/filters/filter-schema.js";
import type { Services } from "../../services/services.js";
import { parseWith, readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const roomEventFilter = roomEventFilterSchema;

function parseFilter(raw: string | undefined) {
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return parseWith(roomEventFilter, null, "M_INVALID_PARAM");
  }
  return parseWith(roomEventFilter, json, "M_INVALID_PARAM");
}

const messagesQuery = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  dir: z.enum(["f", "b"]).default("b"),
  limit: z.coerce.number().int().min(1).default(10),
  filter: z.string().optional(),
});

const membersQuery = z.object({
  at: z.string().optional(),
  membership: z.enum(["join", "invite", "knock", "leave", "ban"]).optional(),
  not_membership: z.enum(["join", "invite", "knock", "leave", "ban"]).optional(),
});

/** Pages are capped so one request cannot ask for the whole room at once. */
const MAX_LIMIT = 1000;

export const roomHistoryEndpoints = ({ rooms }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v3/rooms/:roomId/messages",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const q = readQuery(c, messagesQuery);
      const filter = parseFilter(q.filter);
      const limit = Math.min(filter?.limit ?? q.limit, MAX_LIMIT);
      return c.json(
        await rooms.reader.messages(roomIdParam(c), requester(c).userId, { ...q, limit, filter }),
      );
    },
  },
  {
    method: "GET",
    path: "/_matrix/client/v3/rooms/:roomId/context/:eventId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const q = readQuery(
        c,
        z.object({ limit: z.coerce.number().int().min(0).default(10), filter: z.string().optional() }),
      );
      return c.json(
        await rooms.reader.context(
          roomIdParam(c),
          requester(c).userId,
          c.req.param("eventId") ?? "",
          Math.min(q.limit, MAX_LIMIT),
          parseFilter(q.filter),
        ),
      );
    },
  },
  {
    method: "GET",
    path: "/_matrix/client/v3/rooms/:roomId/members",
    r0: true,
    auth: "user",
    handler: async (c) =>
      c.json({
        chunk: await rooms.reader.members(roomIdParam(c), requester(c).userId, readQuery(c, membersQuery)),
      }),
  },
  {
    method: "GET",
    path: "/_matrix/client/v3/rooms/:roomId/joined_members",
    r0: true,
    auth: "user",
    handler: async (c) =>
      c.json({ joined: await rooms.reader.joinedMembers(roomIdParam(c), requester(c).userId) }),
  },
];
