import type { MediaConfig } from "./media/media-config.js";

/** The settings the services and the API read. The Node runtime builds it from YAML, environment and
 * CLI flags (src/runtime/node/config.ts); the Workers runtime from its bindings. */
export interface ServerConfig {
  /** The server name in user IDs, e.g. `example.org`. */
  serverName: string;
  /** Where clients reach this server, e.g. `https://matrix.example.org`; served in .well-known. */
  publicBaseUrl: string;
  /** The `m.server` delegation served in /.well-known/matrix/server, e.g. `matrix.example.org:443`. */
  federationEndpoint: string | null;
  registration: {
    /** Anyone may register with `m.login.dummy`. Off by default. */
    open: boolean;
    /** Registration with an admin-issued token (`m.login.registration_token`). On by default. */
    tokens: boolean;
    /** Localparts nobody may register (the admin CLI still may create them). */
    reservedLocalparts: string[];
    /** HMAC secret for `POST /_synapse/admin/v1/register`; null disables that endpoint. */
    sharedSecret: string | null;
  };
  /** Off with `--no-rate-limits` (tests, benchmarks, trusted networks). */
  rateLimits: boolean;
  /** Lifetime of access tokens issued with a refresh token (ms). */
  refreshableAccessTokenLifetimeMs: number;
  /** Largest accepted JSON request body (bytes). */
  maxRequestBodyBytes: number;
  /** Presence (spec: client-server-api "Presence"). When off, as in Synapse, updates are accepted and
   * dropped, /sync carries none and `GET /presence` says offline. */
  presence: boolean;
  /** Uploads, thumbnails, URL previews, retention. */
  media: MediaConfig;
  userDirectory: {
    /** Search every active local user, not only those who share a room with the requester or sit
     * in public rooms (Synapse's `user_directory.search_all_users`). Off by default. */
    searchAllUsers: boolean;
  };
}
