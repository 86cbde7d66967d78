/** Device management (spec: client-server-api "Device management", device_management.yaml). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

const updateBody = z.object({
  // As long as register and login allow for `initial_device_display_name`.
  display_name: z.string().max(255).optional(),
});

const deleteBody = z.object({ auth: z.unknown().optional() });

const deleteManyBody = z.object({
  devices: z.array(z.string()).max(1000),
  auth: z.unknown().optional(),
});

export const deviceEndpoints = ({ devices }: Services): Endpoint[] => [
  {
    // GET /devices
    method: "GET",
    path: "/_matrix/client/v3/devices",
    r0: true,
    auth: "user",
    handler: async (c) => c.json({ devices: await devices.list(requester(c)) }),
  },
  {
    // GET /devices/{deviceId}: 404 when the requester has no such device.
    method: "GET",
    path: "/_matrix/client/v3/devices/:deviceId",
    r0: true,
    auth: "user",
    handler: async (c) => c.json(await devices.get(requester(c), pathParam(c, "deviceId"))),
  },
  {
    // PUT /devices/{deviceId}: renames an existing device (creation is for application services).
    method: "PUT",
    path: "/_matrix/client/v3/devices/:deviceId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, updateBody);
      await devices.update(requester(c), pathParam(c, "deviceId"), body.display_name);
      return c.json({});
    },
  },
  {
    // DELETE /devices/{deviceId}: user-interactive auth, then the device and its tokens are gone.
    method: "DELETE",
    path: "/_matrix/client/v3/devices/:deviceId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, deleteBody);
      await devices.delete(requester(c), [pathParam(c, "deviceId")], body.auth);
      return c.json({});
    },
  },
  {
    // POST /delete_devices: the same for several devices under one user-interactive auth.
    method: "POST",
    path: "/_matrix/client/v3/delete_devices",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, deleteManyBody);
      await devices.delete(requester(c), body.devices, body.auth);
      return c.json({});
    },
  },
];
