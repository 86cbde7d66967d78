/** End-to-end encryption key management (spec: client-server-api "Key management API",
 * "Cross-signing"; keys.yaml, cross_signing.yaml). */
import { z } from "zod";
import type { JsonObject, JsonValue } from "../../protocol/json.js";
import type { Services } from "../../services/services.js";
import { readJson, readQuery } from "../json-body.js";
import { type Endpoint, requester } from "../routes.js";

const jsonObject = z.record(z.string(), z.unknown()).transform((v) => v as JsonObject);
const keyMap = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.unknown())]));

export const keysUploadBody = z.object({
  device_keys: jsonObject.optional(),
  one_time_keys: keyMap.transform((v) => v as Record<string, JsonValue>).optional(),
  fallback_keys: keyMap.transform((v) => v as Record<string, JsonValue>).optional(),
});

const queryBody = z.object({
  device_keys: z.record(z.string(), z.array(z.string())),
  timeout: z.number().int().optional(),
});

const claimBody = z.object({
  one_time_keys: z.record(z.string(), z.record(z.string(), z.string())),
  timeout: z.number().int().optional(),
});

const changesQuery = z.object({ from: z.string(), to: z.string() });

const signingBody = z.object({
  master_key: jsonObject.optional(),
  self_signing_key: jsonObject.optional(),
  user_signing_key: jsonObject.optional(),
  auth: z.unknown().optional(),
});

const signaturesBody = z.record(z.string(), z.record(z.string(), jsonObject));

export const keysEndpoints = ({ e2ee }: Services): Endpoint[] => [
  {
    // POST /keys/upload: the device's identity keys, one-time and fallback keys.
    method: "POST",
    path: "/_matrix/client/v3/keys/upload",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, keysUploadBody);
      const r = requester(c);
      return c.json({ one_time_key_counts: await e2ee.deviceKeys.upload(r.userId, r.deviceId, body) });
    },
  },
  {
    // POST /keys/query: device and cross-signing keys of users.
    method: "POST",
    path: "/_matrix/client/v3/keys/query",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, queryBody);
      return c.json(await e2ee.deviceKeys.query(requester(c), body.device_keys));
    },
  },
  {
    // POST /keys/claim: one one-time key (or the fallback key) per device.
    method: "POST",
    path: "/_matrix/client/v3/keys/claim",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, claimBody);
      return c.json(await e2ee.deviceKeys.claim(body.one_time_keys));
    },
  },
  {
    // GET /keys/changes?from&to: users whose device lists changed between two sync tokens.
    method: "GET",
    path: "/_matrix/client/v3/keys/changes",
    r0: true,
    auth: "user",
    handler: async (c) => {
      const { from, to } = readQuery(c, changesQuery);
      return c.json(await e2ee.deviceLists.changesBetween(requester(c).userId, from, to));
    },
  },
  {
    // POST /keys/device_signing/upload: cross-signing keys, behind user-interactive auth.
    method: "POST",
    path: "/_matrix/client/v3/keys/device_signing/upload",
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, signingBody);
      await e2ee.crossSigning.uploadSigningKeys(requester(c), body);
      return c.json({});
    },
  },
  {
    // POST /keys/signatures/upload: signatures over devices and master keys.
    method: "POST",
    path: "/_matrix/client/v3/keys/signatures/upload",
    auth: "user",
    handler: async (c) => {
      const body = await readJson(c, signaturesBody);
      return c.json({ failures: await e2ee.crossSigning.uploadSignatures(requester(c), body) });
    },
  },
];
