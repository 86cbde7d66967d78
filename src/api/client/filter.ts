/** Filters (spec: client-server-api "Filtering", filter.yaml). */
import { syncFilterSchema } from "../../services/filters/filter-schema.js";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

export const filterEndpoints = ({ filters }: Services): Endpoint[] => [
  {
    // POST /user/{userId}/filter: the whole filter is checked against sync_filter.yaml (400 M_BAD_JSON).
    method: "POST",
    path: "/_matrix/client/v3/user/:userId/filter",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const filter = await readJson(c, syncFilterSchema);
      return c.json({ filter_id: await filters.create(requester(c), pathParam(c, "userId"), filter) });
    },
  },
  {
    // GET /user/{userId}/filter/{filterId}
    method: "GET",
    path: "/_matrix/client/v3/user/:userId/filter/:filterId",
    r0: true,
    auth: "user",
    handler: async (c) =>
      c.json(await filters.get(requester(c), pathParam(c, "userId"), pathParam(c, "filterId"))),
  },
];
