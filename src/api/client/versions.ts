/** GET /_matrix/client/versions (spec: client-server-api "API Versions"). */
import type { Endpoint } from "../routes.js";

/** Spec versions whose client-server surface this server serves. Keep docs/FEATURES.md in step. */
export const SUPPORTED_VERSIONS = [
  "v1.1",
  "v1.2",
  "v1.3",
  "v1.4",
  "v1.5",
  "v1.6",
  "v1.7",
  "v1.8",
  "v1.9",
  "v1.10",
  "v1.11",
  "v1.12",
];

/** Unstable features advertised only once implemented (the flag is a promise to clients). */
export const UNSTABLE_FEATURES: Record<string, boolean> = {
  /** Dehydrated devices (src/api/client/dehydrated-device.ts). */
  "org.matrix.msc3814": true,
  /** Room summaries at the unstable path Element uses (src/api/client/room-summary.ts). */
  "im.nheko.summary": true,
  /** `use_state_after` in /sync (src/services/sync/rooms-source.ts). */
  "org.matrix.msc4222": true,
};

export const versionsEndpoints = (): Endpoint[] => [
  {
    method: "GET",
    path: "/_matrix/client/versions",
    auth: "none",
    handler: (c) => c.json({ versions: SUPPORTED_VERSIONS, unstable_features: UNSTABLE_FEATURES }),
  },
];
