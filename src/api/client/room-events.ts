/** Sending, reading and redacting room events (spec: client-server-api "Sending events to a room",
 * "Getting events for a room", "Redactions"). */
import { z } from "zod";
import type { JsonObject } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readJson, readJsonObject } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const redactBody = z.object({ reason: z.string().max(4096).optional() });

export const roomEventEndpoints = ({ rooms }: Services): Endpoint[] => {
  const stateKeyOf = (c: Ctx) => c.req.param("stateKey") ?? "";
  const putState = async (c: Ctx) => {
    const roomId = roomIdParam(c);
    const content = (await readJsonObject(c)) as JsonObject;
    const event = await rooms.messages.sendState(
      requester(c),
      roomId,
      c.req.param("eventType") ?? "",
      stateKeyOf(c),
      content,
    );
    return c.json({ event_id: event.eventId });
  };
  const getState = async (c: Ctx) => {
    const event = await rooms.reader.stateEvent(
      roomIdParam(c),
      requester(c).userId,
      c.req.param("eventType") ?? "",
      stateKeyOf(c),
    );
    return c.json(c.req.query("format") === "event" ? event : event.content);
  };
  return [
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const roomId = roomIdParam(c);
        const content = (await readJsonObject(c)) as JsonObject;
        const event = await rooms.messages.send(
          requester(c),
          roomId,
          c.req.param("eventType") ?? "",
          content,
          c.req.param("txnId") ?? "",
        );
        return c.json({ event_id: event.eventId });
      },
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/state/:eventType",
      r0: true,
      auth: "user",
      handler: putState,
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey{.*}",
      r0: true,
      auth: "user",
      handler: putState,
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/state/:eventType",
      r0: true,
      auth: "user",
      handler: getState,
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey{.*}",
      r0: true,
      auth: "user",
      handler: getState,
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/state",
      r0: true,
      auth: "user",
      handler: async (c) => c.json(await rooms.reader.state(roomIdParam(c), requester(c).userId)),
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/event/:eventId",
      r0: true,
      auth: "user",
      handler: async (c) =>
        c.json(await rooms.reader.event(roomIdParam(c), requester(c).userId, c.req.param("eventId") ?? "")),
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId",
      r0: true,
      auth: "user",
      handler: async (c) => {
        const { reason } = await readJson(c, redactBody);
        const event = await rooms.messages.redact(
          requester(c),
          roomIdParam(c),
          c.req.param("eventId") ?? "",
          c.req.param("txnId") ?? "",
          reason,
        );
        return c.json({ event_id: event.eventId });
      },
    },
  ];
};
