/**
 * Uploads (spec: client-server-api "Content repository"): `POST /_matrix/media/v3/upload`, and the
 * asynchronous pair `POST /_matrix/media/v1/create` + `PUT /_matrix/media/v3/upload/{serverName}/{mediaId}`.
 * The body streams to storage; it is never JSON, so the JSON body limit does not apply and the
 * upload limit (`media.max_upload_bytes`) is enforced while streaming.
 */
import type { Services } from "../../services/services.js";
import { type Endpoint, requester } from "../routes.js";
import { uploadInput } from "./params.js";

export const uploadEndpoints = ({ media }: Services): Endpoint[] => {
  const upload: Endpoint["handler"] = async (c) => {
    const contentUri = await media.content.upload(requester(c), uploadInput(c));
    return c.json({ content_uri: contentUri });
  };
  return [
    { method: "POST", path: "/_matrix/media/v3/upload", auth: "user", handler: upload },
    { method: "POST", path: "/_matrix/media/r0/upload", auth: "user", handler: upload },
    {
      method: "POST",
      path: "/_matrix/media/v1/create",
      auth: "user",
      handler: async (c) => {
        const { contentUri, unusedExpiresAt } = await media.content.create(requester(c));
        return c.json({ content_uri: contentUri, unused_expires_at: unusedExpiresAt });
      },
    },
    {
      method: "PUT",
      path: "/_matrix/media/v3/upload/:serverName/:mediaId",
      auth: "user",
      handler: async (c) => {
        await media.content.uploadTo(
          requester(c),
          c.req.param("serverName")!,
          c.req.param("mediaId")!,
          uploadInput(c),
        );
        return c.json({});
      },
    },
  ];
};
