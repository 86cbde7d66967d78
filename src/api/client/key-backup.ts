/** Server-side key backups (spec: client-server-api "Server-side key backups", key_backup.yaml). */
import { z } from "zod";
import type { JsonObject } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import { readJson, readQuery } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

const jsonObject = z.record(z.string(), z.unknown()).transform((v) => v as JsonObject);

const versionBody = z.object({ algorithm: z.string(), auth_data: jsonObject });
const updateBody = versionBody.extend({ version: z.string().optional() });

const keyData = z.object({
  first_message_index: z.number().int().min(0),
  forwarded_count: z.number().int().min(0),
  is_verified: z.boolean(),
  session_data: jsonObject,
});
const roomBody = z.object({ sessions: z.record(z.string(), keyData) });
const allBody = z.object({ rooms: z.record(z.string(), roomBody) });
const versionQuery = z.object({ version: z.string() });

const V = "/_matrix/client/v3/room_keys";

export const keyBackupEndpoints = ({ e2ee }: Services): Endpoint[] => {
  const backup = e2ee.keyBackup;
  return [
    {
      // POST /room_keys/version: a new backup version, which becomes the current one.
      method: "POST",
      path: `${V}/version`,
      auth: "user",
      handler: async (c) => {
        const body = await readJson(c, versionBody);
        return c.json({ version: await backup.createVersion(requester(c), body.algorithm, body.auth_data) });
      },
    },
    {
      // GET /room_keys/version: the current version.
      method: "GET",
      path: `${V}/version`,
      auth: "user",
      handler: async (c) => c.json(await backup.getVersion(requester(c))),
    },
    {
      // GET /room_keys/version/{version}
      method: "GET",
      path: `${V}/version/:version`,
      auth: "user",
      handler: async (c) => c.json(await backup.getVersion(requester(c), pathParam(c, "version"))),
    },
    {
      // PUT /room_keys/version/{version}: only auth_data changes.
      method: "PUT",
      path: `${V}/version/:version`,
      auth: "user",
      handler: async (c) => {
        const body = await readJson(c, updateBody);
        await backup.updateVersion(requester(c), pathParam(c, "version"), body);
        return c.json({});
      },
    },
    {
      // DELETE /room_keys/version/{version}: the version and its keys.
      method: "DELETE",
      path: `${V}/version/:version`,
      auth: "user",
      handler: async (c) => {
        await backup.deleteVersion(requester(c), pathParam(c, "version"));
        return c.json({});
      },
    },
    {
      // PUT /room_keys/keys?version
      method: "PUT",
      path: `${V}/keys`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        const body = await readJson(c, allBody);
        return c.json(await backup.putKeys(requester(c), version, body.rooms));
      },
    },
    {
      // PUT /room_keys/keys/{roomId}?version
      method: "PUT",
      path: `${V}/keys/:roomId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        const body = await readJson(c, roomBody);
        return c.json(await backup.putKeys(requester(c), version, { [pathParam(c, "roomId")]: body }));
      },
    },
    {
      // PUT /room_keys/keys/{roomId}/{sessionId}?version
      method: "PUT",
      path: `${V}/keys/:roomId/:sessionId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        const body = await readJson(c, keyData);
        const rooms = { [pathParam(c, "roomId")]: { sessions: { [pathParam(c, "sessionId")]: body } } };
        return c.json(await backup.putKeys(requester(c), version, rooms));
      },
    },
    {
      // GET /room_keys/keys?version
      method: "GET",
      path: `${V}/keys`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        return c.json({ rooms: await backup.getKeys(requester(c), version) });
      },
    },
    {
      // GET /room_keys/keys/{roomId}?version: a room without keys is `{"sessions": {}}`.
      method: "GET",
      path: `${V}/keys/:roomId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        const roomId = pathParam(c, "roomId");
        const rooms = await backup.getKeys(requester(c), version, roomId);
        return c.json(rooms[roomId] ?? { sessions: {} });
      },
    },
    {
      // GET /room_keys/keys/{roomId}/{sessionId}?version: 404 when the session is not backed up.
      method: "GET",
      path: `${V}/keys/:roomId/:sessionId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        const roomId = pathParam(c, "roomId");
        const sessionId = pathParam(c, "sessionId");
        const rooms = await backup.getKeys(requester(c), version, roomId, sessionId);
        const key = rooms[roomId]?.sessions[sessionId];
        if (!key) return c.json({ errcode: "M_NOT_FOUND", error: "No backup found for this session" }, 404);
        return c.json(key);
      },
    },
    {
      // DELETE /room_keys/keys?version
      method: "DELETE",
      path: `${V}/keys`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        return c.json(await backup.deleteKeys(requester(c), version));
      },
    },
    {
      // DELETE /room_keys/keys/{roomId}?version
      method: "DELETE",
      path: `${V}/keys/:roomId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        return c.json(await backup.deleteKeys(requester(c), version, pathParam(c, "roomId")));
      },
    },
    {
      // DELETE /room_keys/keys/{roomId}/{sessionId}?version
      method: "DELETE",
      path: `${V}/keys/:roomId/:sessionId`,
      auth: "user",
      handler: async (c) => {
        const { version } = readQuery(c, versionQuery);
        return c.json(
          await backup.deleteKeys(requester(c), version, pathParam(c, "roomId"), pathParam(c, "sessionId")),
        );
      },
    },
  ];
};
