/** Send-to-device messaging (spec: client-server-api "Send-to-Device messaging", to_device.yaml). */
import { z } from "zod";
import type { JsonObject } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

const sendToDeviceBody = z.object({
  messages: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});

export const toDeviceEndpoints = ({ toDevice }: Services): Endpoint[] => [
  {
    // PUT /sendToDevice/{eventType}/{txnId}
    method: "PUT",
    path: "/_matrix/client/v3/sendToDevice/:eventType/:txnId",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, sendToDeviceBody);
      await toDevice.send(
        requester(c),
        pathParam(c, "eventType"),
        pathParam(c, "txnId"),
        body.messages as Record<string, Record<string, JsonObject>>,
      );
      return c.json({});
    },
  },
];
