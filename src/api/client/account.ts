/** whoami, password change and deactivation (spec: client-server-api "Account management"). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const passwordBody = z.object({
  new_password: z.string().min(1).max(512),
  logout_devices: z.boolean().default(true),
  auth: z.unknown().optional(),
});

const deactivateBody = z.object({
  auth: z.unknown().optional(),
  erase: z.boolean().optional(),
  id_server: z.string().optional(),
});

export const accountEndpoints = ({ accounts }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v3/account/whoami",
    r0: true,
    auth: "user",
    handler: (c) => {
      const { userId, deviceId, isGuest } = requester(c);
      return c.json({ user_id: userId, device_id: deviceId, is_guest: isGuest });
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/account/password",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, passwordBody);
      await accounts.changePassword(requester(c), body.new_password, body.logout_devices, body.auth);
      return c.json({});
    },
  },
  {
    method: "POST",
    path: "/_matrix/client/v3/account/deactivate",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, deactivateBody);
      await accounts.deactivate(requester(c), body.auth);
      return c.json({ id_server_unbind_result: "no-support" });
    },
  },
];
