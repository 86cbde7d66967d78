/** GET /_matrix/client/v3/sync (spec: client-server-api "Syncing"). */
import { z } from "zod";
import type { SyncFilter } from "../../services/filters/filter-schema.js";
import type { Services } from "../../services/services.js";
import { readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const booleanParam = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

const syncQuery = z.object({
  since: z.string().optional(),
  filter: z.string().optional(),
  full_state: booleanParam,
  set_presence: z.enum(["online", "offline", "unavailable"]).optional(),
  timeout: z.coerce.number().int().min(0).default(0),
  use_state_after: booleanParam,
  "org.matrix.msc4222.use_state_after": booleanParam,
});

export const syncEndpoints = ({ sync, filters, presence }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v3/sync",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const q = readQuery(c, syncQuery);
      const user = requester(c);
      const filter: SyncFilter = q.filter ? await filters.resolve(user.userId, q.filter) : {};
      // Syncing is what keeps a user online (spec: "Presence"; `set_presence`, default online).
      const syncEnded = await presence.syncing(user.userId, q.set_presence);
      try {
        return c.json(
          await sync.sync(user, {
            since: q.since,
            filter,
            timeoutMs: q.timeout,
            fullState: q.full_state,
            useStateAfter: q.use_state_after || q["org.matrix.msc4222.use_state_after"],
          }),
        );
      } finally {
        syncEnded();
      }
    },
  },
];
