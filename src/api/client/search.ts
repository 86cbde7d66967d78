/** `POST /_matrix/client/v3/search` (spec: client-server-api "Server Side Search"). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson, readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const roomEventFilter = z.object({
  limit: z.number().int().min(1).optional(),
  rooms: z.array(z.string()).optional(),
  not_rooms: z.array(z.string()).optional(),
  types: z.array(z.string()).optional(),
  not_types: z.array(z.string()).optional(),
  senders: z.array(z.string()).optional(),
  not_senders: z.array(z.string()).optional(),
  contains_url: z.boolean().optional(),
});

const roomEvents = z.object({
  search_term: z.string().max(1000),
  keys: z.array(z.enum(["content.body", "content.name", "content.topic"])).optional(),
  filter: roomEventFilter.optional(),
  order_by: z.enum(["rank", "recent"]).optional(),
  event_context: z
    .object({
      before_limit: z.number().int().min(0).optional(),
      after_limit: z.number().int().min(0).optional(),
      include_profile: z.boolean().optional(),
    })
    .optional(),
  include_state: z.boolean().optional(),
  groupings: z
    .object({
      group_by: z.array(z.object({ key: z.enum(["room_id", "sender"]).optional() })).optional(),
    })
    .optional(),
});

const searchBody = z.object({
  search_categories: z.object({ room_events: roomEvents.optional() }),
});

export const searchEndpoints = ({ rooms }: Services): Endpoint[] => [
  {
    method: "POST",
    path: "/_matrix/client/v3/search",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const { next_batch } = readQuery(c, z.object({ next_batch: z.string().optional() }));
      const body = await readJson(c, searchBody);
      const categories: Record<string, unknown> = {};
      const criteria = body.search_categories.room_events;
      if (criteria) {
        categories.room_events = await rooms.search.search(requester(c).userId, criteria, next_batch);
      }
      return c.json({ search_categories: categories });
    },
  },
];
