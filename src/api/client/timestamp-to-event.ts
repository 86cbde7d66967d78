/** `GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event` (spec: client-server-api "Events in
 * a room by date", v1.6). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const query = z.object({
  ts: z.coerce.number().int().min(0),
  dir: z.enum(["f", "b"]),
});

export const timestampToEventEndpoints = ({ rooms }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v1/rooms/:roomId/timestamp_to_event",
    auth: "user",
    handler: async (c) => {
      const { ts, dir } = readQuery(c, query);
      return c.json(await rooms.reader.eventAtTimestamp(roomIdParam(c), requester(c).userId, ts, dir));
    },
  },
];
