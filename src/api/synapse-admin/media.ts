/** Synapse-compatible admin API for media: quarantine, delete, list a user's media. Admins only
 * (403 M_FORBIDDEN otherwise). */
import { z } from "zod";
import type { MediaRecord } from "../../ports/store/media.js";
import type { Services } from "../../services/services.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const pageQuery = z.object({
  from: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(1000).default(100),
});

const toSynapse = (m: MediaRecord) => ({
  media_id: m.mediaId,
  media_type: m.contentType,
  media_length: m.size,
  upload_name: m.uploadName,
  created_ts: m.createdTs,
  last_access_ts: m.lastAccessTs,
  quarantined_by: m.quarantinedBy,
  safe_from_quarantine: false,
});

export const synapseAdminMediaEndpoints = ({ media }: Services): Endpoint[] => {
  const quarantine =
    (on: boolean): Endpoint["handler"] =>
    async (c) => {
      await media.admin.quarantine(requester(c), c.req.param("serverName")!, c.req.param("mediaId")!, on);
      return c.json({});
    };
  return [
    {
      method: "POST",
      path: "/_synapse/admin/v1/media/quarantine/:serverName/:mediaId",
      auth: "user",
      handler: quarantine(true),
    },
    {
      method: "POST",
      path: "/_synapse/admin/v1/media/unquarantine/:serverName/:mediaId",
      auth: "user",
      handler: quarantine(false),
    },
    {
      method: "DELETE",
      path: "/_synapse/admin/v1/media/:serverName/:mediaId",
      auth: "user",
      handler: async (c) => {
        const mediaId = c.req.param("mediaId")!;
        await media.admin.delete(requester(c), c.req.param("serverName")!, mediaId);
        return c.json({ deleted_media: [mediaId], total: 1 });
      },
    },
    {
      method: "GET",
      path: "/_synapse/admin/v1/users/:userId/media",
      auth: "user",
      handler: async (c) => {
        const { from, limit } = readQuery(c, pageQuery);
        const page = await media.admin.listUserMedia(requester(c), c.req.param("userId")!, {
          limit,
          offset: from,
        });
        const next = from + page.media.length;
        return c.json({
          media: page.media.map(toSynapse),
          total: page.total,
          ...(next < page.total ? { next_token: next } : {}),
        });
      },
    },
  ];
};
