/** Receipts and read markers (spec: client-server-api "Receipts", "Read and unread markers"). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { parseWith, readJson, readJsonObject } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const eventId = z.string().startsWith("$").max(255);

const readMarkersBody = z.object({
  "m.fully_read": eventId.optional(),
  "m.read": eventId.optional(),
  "m.read.private": eventId.optional(),
});

const receiptBody = z.object({ thread_id: z.string().optional() }).passthrough();

const receiptType = z.enum(["m.read", "m.read.private", "m.fully_read"]);

export const receiptEndpoints = ({ rooms }: Services): Endpoint[] => [
  {
    method: "POST",
    path: "/_matrix/client/v3/rooms/:roomId/read_markers",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, readMarkersBody);
      await rooms.receipts.setMarkers(requester(c).userId, roomIdParam(c), {
        fullyRead: body["m.fully_read"],
        read: body["m.read"],
        readPrivate: body["m.read.private"],
      });
      return c.json({});
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const roomId = roomIdParam(c);
      const type = parseWith(receiptType, c.req.param("receiptType"), "M_INVALID_PARAM");
      const target = parseWith(eventId, c.req.param("eventId"), "M_INVALID_PARAM");
      const body = parseWith(receiptBody, await readJsonObject(c), "M_INVALID_PARAM");
      await rooms.receipts.send(requester(c).userId, roomId, type, target, body.thread_id);
      return c.json({});
    },
  },
];
