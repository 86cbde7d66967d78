/**
 * `npm run lattice -- <command>`: administration straight on the store, without starting HTTP. Other
 * tools drive it, so its commands, options, output and exit codes are a stable interface:
 *
 *   user create NAME [--admin] [--password P] [--displayname D]
 *   user list
 *   user deactivate NAME
 *   registration-token create [--uses N] [--expires ISO-8601] [--token T]
 *   registration-token list
 *
 * Server settings (`--config FILE`, `--data DIR`, `--database URL`, `--server-name` ...) are the
 * server's own (config.ts) and may appear anywhere. `--json` prints one JSON document instead of
 * one line per result. Exit codes: 0 done, 1 refused (e.g. the user exists), 2 bad usage or config.
 */
import { KeyedMutex } from "../../adapters/memory/keyed-mutex.js";
import { LocalNotifier } from "../../adapters/memory/local-notifier.js";
import { scryptHasher } from "../../adapters/node/scrypt-hasher.js";
import { systemClock } from "../../ports/clock.js";
import type { RegistrationTokenRecord } from "../../ports/store/registration-tokens.js";
import type { UserRecord } from "../../ports/store/users.js";
import { MatrixError } from "../../services/errors.js";
import { createServices, type Services } from "../../services/services.js";
import { ConfigError, loadConfig, SETTINGS } from "./config.js";
import { openStore } from "./store.js";

const USAGE = `usage: npm run lattice -- <command> [options] [server settings]
commands:
  user create NAME [--admin] [--password P] [--displayname D]
                          create a local user; without --password one is generated and printed
  user list               list local users
  user deactivate NAME    deactivate a user (NAME or @name:server)
  registration-token create [--uses N] [--expires ISO-8601] [--token T]
                          create a registration token (random 16 characters unless --token)
  registration-token list list registration tokens
options: --json (print JSON)
server settings: --config FILE ${SETTINGS.map((s) => s.flag).join(" ")}`;

/** A usage mistake: exit code 2, like a bad server configuration. */
class UsageError extends Error {}

/** The spec's registration token alphabet and length (client-server-api "Token-authenticated
 * registration"). */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;
const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

interface CommandLine {
  /** Positional words: command, subcommand, arguments. */
  words: string[];
  options: Map<string, string | true>;
  /** The server settings, for loadConfig. */
  configArgs: string[];
}

/** Which command options take a value; the others are switches. */
const COMMAND_OPTIONS: Record<string, "value" | "switch"> = {
  "--admin": "switch",
  "--json": "switch",
  "--password": "value",
  "--displayname": "value",
  "--uses": "value",
  "--expires": "value",
  "--token": "value",
  "--help": "switch",
};

/** Splits argv into the command's words and options and the server settings loadConfig reads. */
function parseCommandLine(argv: string[]): CommandLine {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  const configArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (flag === "--config" || setting) {
      configArgs.push(arg);
      const takesValue = flag === "--config" || setting?.flagValue === undefined;
      if (takesValue && inline === undefined && i + 1 < argv.length) configArgs.push(argv[++i] as string);
      continue;
    }
    const kind = COMMAND_OPTIONS[flag];
    if (!kind) throw new UsageError(`unknown option ${flag}`);
    if (kind === "switch") {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      options.set(flag, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    options.set(flag, value);
  }
  return { words, options, configArgs };
}

type Output = { lines: string[]; json: unknown };

const userJson = (u: UserRecord) => ({
  user_id: u.userId,
  admin: u.isAdmin,
  deactivated: u.deactivated,
  displayname: u.displayname,
  creation_ts: u.createdTs,
});

const userLine = (u: UserRecord) =>
  [u.userId, u.isAdmin ? "admin" : "", u.deactivated ? "deactivated" : ""].filter(Boolean).join(" ");

/** Synapse's admin API field names, so tools written for either read the same JSON. */
const tokenJson = (t: RegistrationTokenRecord) => ({
  token: t.token,
  uses_allowed: t.usesAllowed,
  pending: t.pending,
  completed: t.completed,
  expiry_time: t.expiryTs,
});

const tokenLine = (t: RegistrationTokenRecord) =>
  [
    t.token,
    `uses ${t.completed}/${t.usesAllowed ?? "unlimited"}`,
    t.expiryTs === null ? "never expires" : `expires ${new Date(t.expiryTs).toISOString()}`,
  ].join(" ");

function randomString(length: number): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character
  // equally likely.
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
    }
  }
  return out;
}

function stringOption(options: CommandLine["options"], name: string): string | undefined {
  const value = options.get(name);
  return typeof value === "string" ? value : undefined;
}

function expectArgs(words: string[], count: number, usage: string): void {
  if (words.length !== count) throw new UsageError(`usage: ${usage}`);
}

async function run(services: Services, { words, options }: CommandLine): Promise<Output> {
  const [group, action] = words;
  if (group === "user" && action === "create") {
    expectArgs(words, 3, "user create NAME [--admin] [--password P] [--displayname D]");
    const given = stringOption(options, "--password");
    const password = given ?? randomString(20);
    const user = await services.userAdmin.create({
      localpart: words[2] as string,
      password,
      admin: options.has("--admin"),
      displayname: stringOption(options, "--displayname"),
    });
    const generated = given === undefined ? { password } : {};
    return {
      lines: [`created ${userLine(user)}${given === undefined ? ` with password ${password}` : ""}`],
      json: { ...userJson(user), ...generated },
    };
  }
  if (group === "user" && action === "list") {
    expectArgs(words, 2, "user list");
    const users: UserRecord[] = [];
    for (let from: string | undefined; ; ) {
      const page = await services.userAdmin.list(1000, from);
      users.push(...page);
      if (page.length < 1000) break;
      from = page.at(-1)?.userId;
    }
    return { lines: users.map(userLine), json: users.map(userJson) };
  }
  if (group === "user" && action === "deactivate") {
    expectArgs(words, 3, "user deactivate NAME");
    const userId = await services.userAdmin.deactivate(words[2] as string);
    return { lines: [`deactivated ${userId}`], json: { user_id: userId, deactivated: true } };
  }
  if (group === "registration-token" && action === "create") {
    expectArgs(words, 2, "registration-token create [--uses N] [--expires ISO-8601] [--token T]");
    const token = stringOption(options, "--token") ?? randomString(16);
    if (!TOKEN_PATTERN.test(token)) {
      throw new UsageError("--token must be 1-64 characters from A-Z a-z 0-9 . _ ~ -");
    }
    const uses = stringOption(options, "--uses");
    const usesAllowed = uses === undefined ? null : Number(uses);
    if (usesAllowed !== null && !(Number.isInteger(usesAllowed) && usesAllowed > 0)) {
      throw new UsageError(`--uses must be a positive whole number, got "${uses}"`);
    }
    const expires = stringOption(options, "--expires");
    const expiryTs = expires === undefined ? null : Date.parse(expires);
    if (expiryTs !== null && Number.isNaN(expiryTs)) {
      throw new UsageError(
        `--expires must be an ISO-8601 time such as 2030-01-31T12:00:00Z, got "${expires}"`,
      );
    }
    const record: RegistrationTokenRecord = {
      token,
      usesAllowed,
      pending: 0,
      completed: 0,
      expiryTs,
      createdTs: services.clock.now(),
    };
    if (!(await services.store.registrationTokens.create(record))) {
      throw new MatrixError(400, "M_INVALID_PARAM", `registration token ${token} already exists`);
    }
    return { lines: [token], json: tokenJson(record) };
  }
  if (group === "registration-token" && action === "list") {
    expectArgs(words, 2, "registration-token list");
    const tokens = await services.store.registrationTokens.list();
    return { lines: tokens.map(tokenLine), json: tokens.map(tokenJson) };
  }
  throw new UsageError(words.length ? `unknown command "${words.join(" ")}"\n${USAGE}` : USAGE);
}

async function main(argv: string[]): Promise<number> {
  let commandLine: CommandLine;
  let config: ReturnType<typeof loadConfig>;
  try {
    commandLine = parseCommandLine(argv);
    if (commandLine.options.has("--help")) {
      console.log(USAGE);
      return 0;
    }
    config = loadConfig(commandLine.configArgs);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`lattice: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const store = await openStore(config.database);
  try {
    const services = await createServices(
      {
        store,
        clock: systemClock,
        hasher: scryptHasher,
        roomLock: new KeyedMutex(),
        notifier: new LocalNotifier(),
      },
      config,
    );
    const output = await run(services, commandLine);
    if (commandLine.options.has("--json")) console.log(JSON.stringify(output.json));
    else for (const line of output.lines) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`lattice: ${error.message}`);
      return 2;
    }
    if (error instanceof MatrixError) {
      console.error(`lattice: ${error.message} (${error.errcode})`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error("lattice: failed:", error);
    process.exitCode = 1;
  },
);
