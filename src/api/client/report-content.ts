/** Reporting content (spec: client-server-api "Reporting content", report_content.yaml). */
import { z } from "zod";
import { MatrixError } from "../../services/errors.js";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";
import { roomIdParam } from "./rooms-schemas.js";

const reason = z.string().max(4096);
const eventReportBody = z.object({ reason: reason.optional(), score: z.number().optional() });
const reportBody = z.object({ reason });

export const reportContentEndpoints = ({ directory }: Services): Endpoint[] => [
  {
    // POST /rooms/{roomId}/report/{eventId}
    method: "POST",
    path: "/_matrix/client/v3/rooms/:roomId/report/:eventId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, eventReportBody);
      await directory.reports.reportEvent(
        requester(c),
        roomIdParam(c),
        pathParam(c, "eventId"),
        body.reason,
        body.score,
      );
      return c.json({});
    },
  },
  {
    // POST /rooms/{roomId}/report (v1.13)
    method: "POST",
    path: "/_matrix/client/v3/rooms/:roomId/report",
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, reportBody);
      await directory.reports.reportRoom(requester(c), roomIdParam(c), body.reason);
      return c.json({});
    },
  },
  {
    // POST /users/{userId}/report (v1.14)
    method: "POST",
    path: "/_matrix/client/v3/users/:userId/report",
    auth: "user",
    handler: async (c) => {
      const userId = pathParam(c, "userId");
      if (!userId.startsWith("@") || !userId.includes(":")) {
        throw new MatrixError(400, "M_INVALID_PARAM", `Invalid user ID ${userId}`);
      }
      const body = await readJson(c, reportBody);
      await directory.reports.reportUser(requester(c), userId, body.reason);
      return c.json({});
    },
  },
];
