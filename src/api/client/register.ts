/** Registration (spec: client-server-api "Account registration"). */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson, readQuery } from "../json-body.js";
import type { Endpoint } from "../routes.js";

const registerBody = z.object({
  username: z.string().max(255).optional(),
  password: z.string().max(512).optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(255).optional(),
  inhibit_login: z.boolean().optional(),
  refresh_token: z.boolean().optional(),
  auth: z.unknown().optional(),
});

const kindQuery = z.object({ kind: z.enum(["user", "guest"]).default("user") });

export const registerEndpoints = ({ registration }: Services): Endpoint[] => [
  {
    method: "POST",
    path: "/_matrix/client/v3/register",
    r0: true,
    auth: "none",
    rateLimit: "register",
    handler: async (c) => {
      const { kind } = readQuery(c, kindQuery);
      const body = await readJson(c, registerBody);
      return c.json(await registration.register({ ...body, kind }));
    },
  },
  {
    method: "GET",
    path: "/_matrix/client/v3/register",
    r0: true,
    auth: "none",
    // Not in the spec, but clients probe it: Synapse answers with the flows.
    handler: (c) => c.json({ flows: registration.flows().map((stages) => ({ stages })) }),
  },
  {
    method: "GET",
    path: "/_matrix/client/v3/register/available",
    r0: true,
    auth: "none",
    rateLimit: "register",
    handler: async (c) => {
      const { username } = readQuery(c, z.object({ username: z.string() }));
      await registration.assertAvailable(username.toLowerCase());
      return c.json({ available: true });
    },
  },
  {
    method: "GET",
    path: "/_matrix/client/v1/register/m.login.registration_token/validity",
    auth: "none",
    rateLimit: "register",
    handler: async (c) => {
      const { token } = readQuery(c, z.object({ token: z.string().max(64) }));
      return c.json({ valid: await registration.tokenIsValid(token) });
    },
  },
];
