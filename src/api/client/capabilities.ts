/** GET /_matrix/client/v3/capabilities (spec: client-server-api "Capabilities negotiation"). */
import { DEFAULT_ROOM_VERSION, ROOM_VERSIONS } from "../../protocol/room-versions.js";
import type { Endpoint } from "../routes.js";

export const capabilitiesEndpoints = (): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/v3/capabilities",
    r0: true,
    auth: "user",
    handler: (c) =>
      c.json({
        capabilities: {
          "m.change_password": { enabled: true },
          "m.room_versions": {
            default: DEFAULT_ROOM_VERSION,
            available: Object.fromEntries(
              [...ROOM_VERSIONS.values()].map((v) => [v.id, v.stable ? "stable" : "unstable"]),
            ),
          },
          "m.set_displayname": { enabled: true },
          "m.set_avatar_url": { enabled: true },
          "m.3pid_changes": { enabled: false },
          "m.get_login_token": { enabled: false },
        },
      }),
  },
];
