/** Login, logout and token refresh (spec: client-server-api "Login", "Logout", "Refreshing access
 * tokens"). */
import { z } from "zod";
import type { JsonObject } from "../../protocol/json.js";
import { LOGIN_FLOWS } from "../../services/accounts/login.js";
import type { Services } from "../../services/services.js";
import { readJson, readJsonObject } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

export const loginEndpoints = ({ login, sessions, config, store, e2ee }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v3/login",
    r0: true,
    auth: "none",
    handler: (c) => c.json({ flows: LOGIN_FLOWS }),
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/login",
    r0: true,
    auth: "none",
    rateLimit: "login",
    handler: async (c) => {
      const session = await login.login((await readJsonObject(c)) as JsonObject);
      return c.json({
        ...session,
        home_server: config.serverName,
        well_known: { "m.homeserver": { base_url: config.publicBaseUrl } },
      });
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/refresh",
    auth: "none",
    rateLimit: "login",
    handler: async (c) => {
      const { refresh_token } = await readJson(c, z.object({ refresh_token: z.string().min(1) }));
      return c.json(await sessions.refresh(refresh_token));
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/logout",
    r0: true,
    auth: "user",
    handler: async (c) => {
      // Logging out deletes the device, and with it every token of the device (spec: `POST /logout`).
      const { userId, deviceId } = requester(c);
      await store.devices.delete(userId, [deviceId]);
      // Its end-to-end keys go too, and the user's contacts hear the device list changed.
      await e2ee.deviceKeys.devicesDeleted(userId, [deviceId]);
      return c.json({});
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/logout/all",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const { userId } = requester(c);
      const deviceIds = (await store.devices.list(userId)).map((d) => d.deviceId);
      await store.devices.deleteAllExcept(userId);
      await e2ee.deviceKeys.devicesDeleted(userId, deviceIds);
      return c.json({});
    },
  },
];
