/**
 * Downloads and thumbnails: authenticated under `/_matrix/client/v1/media` (MSC3916), and the
 * deprecated unauthenticated `/_matrix/media/v3` ones, frozen (spec: "Content repository",
 * Matrix 1.12): they serve only media uploaded before `media.unauthenticated_media_cutoff_ts`.
 */
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readQuery } from "../json-body.js";
import type { Endpoint } from "../routes.js";
import { thumbnailQuery, timeoutMs } from "./params.js";
import { mediaResponse } from "./respond.js";

export const downloadEndpoints = ({ media }: Services): Endpoint[] => {
  const download = (legacy: boolean) => async (c: Ctx) => {
    const content = await media.content.download(c.req.param("serverName")!, c.req.param("mediaId")!, {
      timeoutMs: timeoutMs(c),
      legacy,
      range: c.req.header("range"),
    });
    return mediaResponse(content, { fileName: c.req.param("fileName") ?? null });
  };
  const thumbnail = (legacy: boolean) => async (c: Ctx) => {
    const query = readQuery(c, thumbnailQuery);
    const content = await media.thumbnails.thumbnail(
      c.req.param("serverName")!,
      c.req.param("mediaId")!,
      { width: query.width, height: query.height, method: query.method, animated: query.animated },
      { timeoutMs: query.timeout_ms, legacy },
    );
    // Thumbnails are always inline (spec: "MUST be inline"), and always of a safe image type.
    const extension = content.contentType.split("/")[1] ?? "bin";
    return mediaResponse(content, { fileName: `thumbnail.${extension}`, forceInline: true });
  };
  const V1 = "/_matrix/client/v1/media";
  const endpoints: Endpoint[] = [
    { method: "GET", path: `${V1}/download/:serverName/:mediaId`, auth: "user", handler: download(false) },
    {
      method: "GET",
      path: `${V1}/download/:serverName/:mediaId/:fileName`,
      auth: "user",
      handler: download(false),
    },
    { method: "GET", path: `${V1}/thumbnail/:serverName/:mediaId`, auth: "user", handler: thumbnail(false) },
  ];
  for (const legacy of ["/_matrix/media/v3", "/_matrix/media/r0"]) {
    endpoints.push(
      {
        method: "GET",
        path: `${legacy}/download/:serverName/:mediaId`,
        auth: "none",
        handler: download(true),
      },
      {
        method: "GET",
        path: `${legacy}/download/:serverName/:mediaId/:fileName`,
        auth: "none",
        handler: download(true),
      },
      {
        method: "GET",
        path: `${legacy}/thumbnail/:serverName/:mediaId`,
        auth: "none",
        handler: thumbnail(true),
      },
    );
  }
  return endpoints;
};
