/** Synapse-compatible shared-secret registration, for deployment tools. */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import { readJson } from "../json-body.js";
import type { Endpoint } from "../routes.js";

const body = z.object({
  nonce: z.string(),
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(512),
  admin: z.boolean().default(false),
  displayname: z.string().max(256).optional(),
  user_type: z.string().optional(),
  mac: z.string(),
});

export const synapseAdminRegisterEndpoints = ({ sharedSecretRegistration, config }: Services): Endpoint[] => [
  {
    method: "GET",
    path: "/_synapse/admin/v1/register",
    auth: "none",
    handler: async (c) => c.json({ nonce: await sharedSecretRegistration.nonce() }),
  },
  {
    method: "POST",
    path: "/_synapse/admin/v1/register",
    auth: "none",
    rateLimit: "register",
    handler: async (c) => {
      const session = await sharedSecretRegistration.register(await readJson(c, body));
      return c.json({ ...session, home_server: config.serverName });
    },
  },
];
