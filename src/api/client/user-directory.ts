/** User directory search (spec: client-server-api "User Directory", users.yaml). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const searchBody = z.object({
  search_term: z.string().max(1000),
  limit: z.int().min(0).default(10),
});

export const userDirectoryEndpoints = ({ userDirectory }: Services): Endpoint[] => [
  {
    // POST /user_directory/search
    method: "POST",
    path: "/_matrix/client/v3/user_directory/search",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, searchBody);
      return c.json(await userDirectory.search(requester(c), body.search_term, body.limit));
    },
  },
];
