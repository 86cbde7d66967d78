/** Dehydrated devices (MSC3814, unstable prefix org.matrix.msc3814.v1). */
import { z } from "zod";
import type { JsonObject } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";
import { keysUploadBody } from "./keys.js";

const P = "/_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device";

const putBody = keysUploadBody.extend({
  device_id: z.string().optional(),
  device_data: z.record(z.string(), z.unknown()).transform((v) => v as JsonObject),
  initial_device_display_name: z.string().max(255).optional(),
});

const eventsBody = z.object({ next_batch: z.string().optional() });

export const dehydratedDeviceEndpoints = ({ e2ee }: Services): Endpoint[] => [
  {
    // PUT /dehydrated_device: creates (replacing any previous) the dehydrated device, with its keys.
    method: "PUT",
    path: P,
    auth: "user",
    handler: async (c) => c.json(await e2ee.dehydratedDevices.put(requester(c), await readJson(c, putBody))),
  },
  {
    // GET /dehydrated_device: its ID and device_data; 404 M_NOT_FOUND when there is none.
    method: "GET",
    path: P,
    auth: "user",
    handler: async (c) => c.json(await e2ee.dehydratedDevices.get(requester(c))),
  },
  {
    // DELETE /dehydrated_device
    method: "DELETE",
    path: P,
    auth: "user",
    handler: async (c) => c.json(await e2ee.dehydratedDevices.delete(requester(c))),
  },
  {
    // POST /dehydrated_device/{deviceId}/events: its to-device messages, a batch at a time.
    method: "POST",
    path: `${P}/:deviceId/events`,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, eventsBody);
      return c.json(
        await e2ee.dehydratedDevices.events(requester(c), pathParam(c, "deviceId"), body.next_batch),
      );
    },
  },
];
