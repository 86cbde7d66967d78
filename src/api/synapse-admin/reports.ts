/** Synapse-compatible admin API for content reports: `GET /_synapse/admin/v1/event_reports` (and
 * the same for room and user reports), newest first. Admins only (403 M_FORBIDDEN otherwise).
 * `next_token` is opaque: pass it back as `from`. */
import { z } from "zod";
import type { ReportRecord } from "../../ports/store/directory.js";
import type { Services } from "../../services/services.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const pageQuery = z.object({
  from: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().positive().max(1000).default(100),
});

const toSynapse = (r: ReportRecord) => ({
  id: r.id,
  received_ts: r.createdTs,
  room_id: r.roomId,
  event_id: r.eventId,
  // Synapse calls the reporter `user_id`; `target_user_id` is the reported event's sender or user.
  user_id: r.reporter,
  target_user_id: r.targetUserId,
  reason: r.reason,
  score: r.score,
});

export const synapseAdminReportEndpoints = ({ directory }: Services): Endpoint[] => {
  const list =
    (kind: ReportRecord["kind"], key: string): Endpoint["handler"] =>
    async (c) => {
      const { from, limit } = readQuery(c, pageQuery);
      const reports = await directory.reports.list(requester(c), { kind, limit, before: from });
      const body: Record<string, unknown> = { [key]: reports.map(toSynapse) };
      const last = reports.at(-1);
      if (reports.length === limit && last) body.next_token = last.id;
      return c.json(body);
    };
  return [
    {
      method: "GET",
      path: "/_synapse/admin/v1/event_reports",
      auth: "user",
      handler: list("event", "event_reports"),
    },
    {
      method: "GET",
      path: "/_synapse/admin/v1/room_reports",
      auth: "user",
      handler: list("room", "room_reports"),
    },
    {
      method: "GET",
      path: "/_synapse/admin/v1/user_reports",
      auth: "user",
      handler: list("user", "user_reports"),
    },
  ];
};
