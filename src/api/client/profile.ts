/** Profiles (spec: client-server-api "Profiles", profile.yaml): display name and avatar URL. */

import { badJson, missingParam } from "../../services/errors.js";
import type { ProfileField } from "../../services/profile/profile.js";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readJsonObject } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

/** The one value of a `PUT /profile/{userId}/{keyName}` body: `{"<keyName>": "<string>"}`. An empty
 * string clears the field; null is refused, since this server cannot keep a null apart from unset. */
async function readFieldValue(c: Ctx, field: ProfileField): Promise<string> {
  const body = await readJsonObject(c);
  if (!(field in body)) throw missingParam(`Missing ${field}`);
  const value = body[field];
  if (typeof value !== "string") throw badJson(`${field} must be a string ("" clears it)`);
  return value;
}

const fieldEndpoints = ({ profiles }: Services, field: ProfileField): Endpoint[] => [
  {
    // GET /profile/{userId}/{field}: 404 when the user is unknown or has not set the field.
    method: "GET",
    path: `/_matrix/client/v3/profile/:userId/${field}`,
    r0: true,
    auth: "optional",
    handler: async (c) => c.json({ [field]: await profiles.getField(pathParam(c, "userId"), field) }),
  },
  {
    // PUT /profile/{userId}/{field}: only the user themself.
    method: "PUT",
    path: `/_matrix/client/v3/profile/:userId/${field}`,
    r0: true,
    auth: "user",
    handler: async (c) => {
      const value = await readFieldValue(c, field);
      await profiles.setField(requester(c), pathParam(c, "userId"), field, value);
      return c.json({});
    },
  },
];

export const profileEndpoints = (services: Services): Endpoint[] => [
  {
    // GET /profile/{userId}: public, like every profile read (the spec names no security for it).
    method: "GET",
    path: "/_matrix/client/v3/profile/:userId",
    r0: true,
    auth: "optional",
    handler: async (c) => c.json(await services.profiles.get(pathParam(c, "userId"))),
  },
  ...fieldEndpoints(services, "displayname"),
  ...fieldEndpoints(services, "avatar_url"),
];
