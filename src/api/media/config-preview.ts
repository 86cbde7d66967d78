/** `GET /_matrix/client/v1/media/config` and `GET /_matrix/client/v1/media/preview_url` (and their
 * deprecated `/_matrix/media/v3` forms, which also require authentication). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const previewQuery = z.object({
  url: z.string().min(1),
  ts: z.coerce.number().int().optional(),
});

export const mediaConfigEndpoints = ({ media, config }: Services): Endpoint[] => {
  const mediaConfig: Endpoint["handler"] = (c) => c.json({ "m.upload.size": config.media.maxUploadBytes });
  const preview: Endpoint["handler"] = async (c) => {
    const { url } = readQuery(c, previewQuery);
    return c.json(await media.previews.preview(requester(c), url));
  };
  return [
    { method: "GET", path: "/_matrix/client/v1/media/config", auth: "user", handler: mediaConfig },
    { method: "GET", path: "/_matrix/media/v3/config", auth: "user", handler: mediaConfig },
    { method: "GET", path: "/_matrix/client/v1/media/preview_url", auth: "user", handler: preview },
    { method: "GET", path: "/_matrix/media/v3/preview_url", auth: "user", handler: preview },
  ];
};
