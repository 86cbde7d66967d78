/**
 * Configuration for the Node runtime: one YAML file, every key overridable by an environment
 * variable and a CLI flag (flag > environment > file > default), validated at start-up with an error
 * that names the key and says what is allowed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { ServerConfig } from "../../services/config.js";
import { MEDIA_SETTINGS, mediaConfigFrom, mediaFileSchema, type NodeMediaConfig } from "./media-config.js";

/** The YAML parser is loaded only when there is a file to parse: start-up without one skips it. */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)("yaml") as typeof import("yaml")).parse(text);

export interface NodeConfig extends ServerConfig, NodeMediaConfig {
  listen: { host: string; port: number };
  dataDir: string;
  /** `sqlite:<path>` or a `postgres://` URL. */
  database: string;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

export class ConfigError extends Error {}

/** Each setting: its YAML key path, environment variable and CLI flag. */
interface Setting {
  key: string;
  env: string;
  flag: string;
  kind: "string" | "boolean" | "number" | "list";
  /** For boolean flags that only ever set one value (e.g. --no-rate-limits sets false). */
  flagValue?: boolean;
  help: string;
}

export const SETTINGS: Setting[] = [
  {
    key: "server_name",
    env: "LATTICE_SERVER_NAME",
    flag: "--server-name",
    kind: "string",
    help: "server name in user IDs, e.g. example.org",
  },
  {
    key: "listen",
    env: "LATTICE_LISTEN",
    flag: "--listen",
    kind: "string",
    help: "HOST:PORT to listen on, e.g. 127.0.0.1:8008",
  },
  {
    key: "data_dir",
    env: "LATTICE_DATA",
    flag: "--data",
    kind: "string",
    help: "folder for the SQLite database and media",
  },
  {
    key: "database",
    env: "LATTICE_DATABASE",
    flag: "--database",
    kind: "string",
    help: "postgres://user@host/db, or sqlite:PATH (default: sqlite in the data folder)",
  },
  {
    key: "public_baseurl",
    env: "LATTICE_PUBLIC_BASEURL",
    flag: "--public-baseurl",
    kind: "string",
    help: "URL clients use to reach this server",
  },
  {
    key: "federation_endpoint",
    env: "LATTICE_FEDERATION_ENDPOINT",
    flag: "--federation-endpoint",
    kind: "string",
    help: "host:port served as m.server in /.well-known/matrix/server",
  },
  {
    key: "registration.open",
    env: "LATTICE_OPEN_REGISTRATION",
    flag: "--open-registration",
    kind: "boolean",
    flagValue: true,
    help: "anyone may register without a token",
  },
  {
    key: "registration.tokens",
    env: "LATTICE_REGISTRATION_TOKENS",
    flag: "--registration-tokens",
    kind: "boolean",
    help: "allow registration with admin-issued tokens",
  },
  {
    key: "registration.reserved_localparts",
    env: "LATTICE_RESERVED_LOCALPARTS",
    flag: "--reserved-localparts",
    kind: "list",
    help: "comma-separated names nobody may register",
  },
  {
    key: "registration.shared_secret",
    env: "LATTICE_REGISTRATION_SHARED_SECRET",
    flag: "--registration-shared-secret",
    kind: "string",
    help: "secret for /_synapse/admin/v1/register",
  },
  {
    key: "rate_limits",
    env: "LATTICE_RATE_LIMITS",
    flag: "--no-rate-limits",
    kind: "boolean",
    flagValue: false,
    help: "rate limit login and registration",
  },
  {
    key: "max_request_body_bytes",
    env: "LATTICE_MAX_REQUEST_BODY_BYTES",
    flag: "--max-request-body-bytes",
    kind: "number",
    help: "largest JSON request body",
  },
  {
    key: "refreshable_access_token_lifetime_ms",
    env: "LATTICE_REFRESHABLE_ACCESS_TOKEN_LIFETIME_MS",
    flag: "--refreshable-access-token-lifetime-ms",
    kind: "number",
    help: "lifetime of refreshable access tokens",
  },
  {
    key: "presence",
    env: "LATTICE_PRESENCE",
    flag: "--no-presence",
    kind: "boolean",
    flagValue: false,
    help: "track and share presence (online, idle, offline)",
  },
  {
    key: "user_directory.search_all_users",
    env: "LATTICE_USER_DIRECTORY_SEARCH_ALL_USERS",
    flag: "--user-directory-search-all-users",
    kind: "boolean",
    flagValue: true,
    help: "user directory search finds every local user, not only those sharing a room or in public rooms",
  },
  {
    key: "log_level",
    env: "LATTICE_LOG_LEVEL",
    flag: "--log-level",
    kind: "string",
    help: "debug, info, warn, error or silent",
  },
  ...MEDIA_SETTINGS,
];

const DEFAULT_RESERVED = [
  "admin",
  "administrator",
  "root",
  "postmaster",
  "hostmaster",
  "webmaster",
  "abuse",
  "security",
  "support",
  "noreply",
  "server",
];

const fileSchema = z
  .object({
    server_name: z
      .string()
      .regex(/^[A-Za-z0-9.\-[\]:]+$/, "a DNS name or IP literal, optionally with :port")
      .default("localhost"),
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "HOST:PORT, e.g. 127.0.0.1:8008")
      .default("127.0.0.1:8008"),
    data_dir: z.string().min(1).default("./data"),
    database: z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:)/, "a postgres:// URL or sqlite:PATH")
      .optional(),
    public_baseurl: z.url({ message: "an http(s) URL such as https://matrix.example.org" }).optional(),
    federation_endpoint: z.string().optional(),
    registration: z
      .object({
        open: z.boolean().default(false),
        tokens: z.boolean().default(true),
        reserved_localparts: z.array(z.string()).default(DEFAULT_RESERVED),
        shared_secret: z.string().min(16, "at least 16 characters").optional(),
      })
      .strict()
      .default({ open: false, tokens: true, reserved_localparts: DEFAULT_RESERVED }),
    rate_limits: z.boolean().default(true),
    max_request_body_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    refreshable_access_token_lifetime_ms: z
      .number()
      .int()
      .positive()
      .default(5 * 60 * 1000),
    presence: z.boolean().default(true),
    user_directory: z
      .object({ search_all_users: z.boolean().default(false) })
      .strict()
      .default({ search_all_users: false }),
    log_level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    ...mediaFileSchema,
  })
  .strict();

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
}

function coerce(setting: Setting, raw: string, source: string): unknown {
  switch (setting.kind) {
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${source}: expected true or false for ${setting.key}, got "${raw}"`);
    case "number": {
      const n = Number(raw);
      if (!Number.isFinite(n))
        throw new ConfigError(`${source}: expected a number for ${setting.key}, got "${raw}"`);
      return n;
    }
    case "list":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/** Parses argv (without node and script) into config values, plus `--config FILE`. */
function parseFlags(argv: string[]): { values: Array<[Setting, unknown]>; configFile?: string } {
  const values: Array<[Setting, unknown]> = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg];
    if (flag === "--config") {
      configFile = inline ?? argv[++i];
      continue;
    }
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting)
      throw new ConfigError(
        `unknown option ${flag}; options: --config ${SETTINGS.map((s) => s.flag).join(" ")}`,
      );
    if (setting.flagValue !== undefined && inline === undefined) {
      values.push([setting, setting.flagValue]);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new ConfigError(`${flag} needs a value: ${setting.help}`);
    values.push([setting, coerce(setting, raw, flag)]);
  }
  return { values, configFile };
}

/** Names the unknown key, the likely intended one, and the keys allowed where it stands. */
function unknownKeyError(path: PropertyKey[], keys: string[]): ConfigError {
  const prefix = path.length ? `${path.join(".")}.` : "";
  const key = `${prefix}${keys[0]}`;
  const known = SETTINGS.map((s) => s.key)
    .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes("."))
    .concat(prefix ? [] : ["registration", "user_directory"]);
  const near = known.find((k) => editDistance(k, key) <= 2);
  return new ConfigError(
    `unknown configuration key "${key}"${near ? `; did you mean "${near}"?` : ""} (known keys here: ${known.join(", ")})`,
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitute);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The public base URL when none is configured: the listen address (localhost for 0.0.0.0). */
export function listenBaseUrl(host: string, port: number): string {
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return `http://${urlHost === "0.0.0.0" ? "localhost" : urlHost}:${port}`;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const flags = parseFlags(argv);
  const configFile = flags.configFile ?? env.LATTICE_CONFIG;
  let raw: Record<string, unknown> = {};
  if (configFile) {
    let text: string;
    try {
      text = readFileSync(configFile, "utf8");
    } catch (error) {
      throw new ConfigError(`cannot read config file ${configFile}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text) ?? {};
    } catch (error) {
      throw new ConfigError(`${configFile}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError(`${configFile}: expected a YAML mapping of settings at the top level`);
    }
    raw = parsed as Record<string, unknown>;
  }
  for (const setting of SETTINGS) {
    const value = env[setting.env];
    if (value !== undefined && value !== "") setPath(raw, setting.key, coerce(setting, value, setting.env));
  }
  for (const [setting, value] of flags.values) setPath(raw, setting.key, value);

  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === "unrecognized_keys") throw unknownKeyError(issue.path, issue.keys);
    const key = issue?.path.join(".") || "(top level)";
    const setting = SETTINGS.find((s) => s.key === key);
    const fix = setting
      ? ` (${setting.help}; set it in the config file, ${setting.env} or ${setting.flag})`
      : "";
    throw new ConfigError(`invalid configuration key "${key}": ${issue?.message}${fix}`);
  }
  const c = result.data;
  const lastColon = c.listen.lastIndexOf(":");
  const host = c.listen.slice(0, lastColon).replace(/^\[|\]$/g, "");
  const port = Number(c.listen.slice(lastColon + 1));
  if (port > 65535) throw new ConfigError(`invalid configuration key "listen": port ${port} is above 65535`);
  const dataDir = resolve(c.data_dir);
  let media: NodeMediaConfig;
  try {
    media = mediaConfigFrom(c, dataDir);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
  return {
    serverName: c.server_name,
    publicBaseUrl: (c.public_baseurl ?? listenBaseUrl(host, port)).replace(/\/$/, ""),
    federationEndpoint: c.federation_endpoint ?? null,
    registration: {
      open: c.registration.open,
      tokens: c.registration.tokens,
      reservedLocalparts: c.registration.reserved_localparts,
      sharedSecret: c.registration.shared_secret ?? null,
    },
    rateLimits: c.rate_limits,
    maxRequestBodyBytes: c.max_request_body_bytes,
    refreshableAccessTokenLifetimeMs: c.refreshable_access_token_lifetime_ms,
    presence: c.presence,
    userDirectory: { searchAllUsers: c.user_directory.search_all_users },
    listen: { host, port },
    dataDir,
    database: c.database ?? `sqlite:${join(dataDir, "lattice.db")}`,
    logLevel: c.log_level,
    ...media,
  };
}
