/** Account data (spec: client-server-api "Client Config", account-data.yaml). */
import type { JsonObject } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import { readJsonObject } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

export const accountDataEndpoints = ({ accountData }: Services): Endpoint[] => [
  {
    // GET /user/{userId}/account_data/{type}
    method: "GET",
    path: "/_matrix/client/v3/user/:userId/account_data/:type",
    r0: true,
    auth: "user",
    handler: async (c) =>
      c.json(await accountData.get(requester(c), pathParam(c, "userId"), undefined, pathParam(c, "type"))),
  },
  {
    // PUT /user/{userId}/account_data/{type}: the body is the content and must be a JSON object.
    method: "PUT",
    path: "/_matrix/client/v3/user/:userId/account_data/:type",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const content = (await readJsonObject(c)) as JsonObject;
      await accountData.put(requester(c), pathParam(c, "userId"), undefined, pathParam(c, "type"), content);
      return c.json({});
    },
  },
  {
    // GET /user/{userId}/rooms/{roomId}/account_data/{type}
    method: "GET",
    path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
    r0: true,
    auth: "user",
    handler: async (c) =>
      c.json(
        await accountData.get(
          requester(c),
          pathParam(c, "userId"),
          pathParam(c, "roomId"),
          pathParam(c, "type"),
        ),
      ),
  },
  {
    // PUT /user/{userId}/rooms/{roomId}/account_data/{type}
    method: "PUT",
    path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const content = (await readJsonObject(c)) as JsonObject;
      await accountData.put(
        requester(c),
        pathParam(c, "userId"),
        pathParam(c, "roomId"),
        pathParam(c, "type"),
        content,
      );
      return c.json({});
    },
  },
];
