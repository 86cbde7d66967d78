import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "lattice-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function yamlFile(text: string): string {
  const path = join(dir, `config-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("defaults", () => {
  it("runs with no settings at all", () => {
    const config = loadConfig([], {});
    expect(config).toMatchObject({
      serverName: "localhost",
      listen: { host: "127.0.0.1", port: 8008 },
      publicBaseUrl: "http://127.0.0.1:8008",
      federationEndpoint: null,
      dataDir: resolve("./data"),
      database: `sqlite:${join(resolve("./data"), "lattice.db")}`,
      rateLimits: true,
      maxRequestBodyBytes: 1024 * 1024,
      refreshableAccessTokenLifetimeMs: 5 * 60 * 1000,
      logLevel: "info",
    });
    expect(config.registration).toMatchObject({ open: false, tokens: true, sharedSecret: null });
    expect(config.registration.reservedLocalparts).toContain("admin");
  });

  it("derives the base URL from the listen address: localhost for 0.0.0.0, brackets for IPv6", () => {
    expect(loadConfig(["--listen", "0.0.0.0:8448"], {}).publicBaseUrl).toBe("http://localhost:8448");
    const v6 = loadConfig(["--listen", "[::1]:8008"], {});
    expect(v6.listen).toEqual({ host: "::1", port: 8008 });
    expect(v6.publicBaseUrl).toBe("http://[::1]:8008");
  });
});

describe("the YAML file", () => {
  it("sets every kind of value, nested keys included", () => {
    const file = yamlFile(`
server_name: example.org
listen: 0.0.0.0:9000
data_dir: ${dir}/data
public_baseurl: https://matrix.example.org/
federation_endpoint: matrix.example.org:443
registration:
  open: true
  tokens: false
  reserved_localparts: [boss]
  shared_secret: 0123456789abcdef
rate_limits: false
max_request_body_bytes: 4096
refreshable_access_token_lifetime_ms: 60000
log_level: warn
`);
    const config = loadConfig(["--config", file], {});
    expect(config).toMatchObject({
      serverName: "example.org",
      listen: { host: "0.0.0.0", port: 9000 },
      dataDir: join(dir, "data"),
      database: `sqlite:${join(dir, "data", "lattice.db")}`,
      publicBaseUrl: "https://matrix.example.org",
      federationEndpoint: "matrix.example.org:443",
      registration: {
        open: true,
        tokens: false,
        reservedLocalparts: ["boss"],
        sharedSecret: "0123456789abcdef",
      },
      rateLimits: false,
      maxRequestBodyBytes: 4096,
      refreshableAccessTokenLifetimeMs: 60000,
      logLevel: "warn",
    });
  });

  it("is found through LATTICE_CONFIG and --config=FILE; an empty file means defaults", () => {
    const file = yamlFile("server_name: from-env-file.org\n");
    expect(loadConfig([], { LATTICE_CONFIG: file }).serverName).toBe("from-env-file.org");
    expect(loadConfig([`--config=${file}`], {}).serverName).toBe("from-env-file.org");
    expect(loadConfig(["--config", yamlFile("")], {}).serverName).toBe("localhost");
  });

  it("rejects an unknown key, naming it and the key probably meant", () => {
    const message = configError(["--config", yamlFile("server_nam: example.org\n")]);
    expect(message).toContain('unknown configuration key "server_nam"');
    expect(message).toContain('did you mean "server_name"');
    const nested = configError(["--config", yamlFile("registration:\n  opne: true\n")]);
    expect(nested).toContain('"registration.opne"');
    expect(nested).toContain('did you mean "registration.open"');
  });

  it("rejects a wrong type, naming the key, what is allowed, and where to set it", () => {
    const message = configError(["--config", yamlFile("rate_limits: sometimes\n")]);
    expect(message).toContain('"rate_limits"');
    expect(message).toContain("boolean");
    expect(message).toContain("LATTICE_RATE_LIMITS");
    const nested = configError(["--config", yamlFile("registration:\n  open: 1\n")]);
    expect(nested).toContain('"registration.open"');
    expect(nested).toContain("--open-registration");
    const listen = configError(["--config", yamlFile("listen: 8008\n")]);
    expect(listen).toContain('"listen"');
  });

  it("rejects invalid YAML, a non-mapping and a missing file with a ConfigError", () => {
    expect(configError(["--config", yamlFile("listen: [oops\n")])).toContain("not valid YAML");
    expect(configError(["--config", yamlFile("- a\n- b\n")])).toContain("mapping");
    expect(configError(["--config", join(dir, "missing.yaml")])).toContain("cannot read config file");
  });
});

describe("environment variables", () => {
  it("set values and override the file", () => {
    const file = yamlFile(
      "server_name: file.org\nmax_request_body_bytes: 100\nregistration:\n  open: false\n",
    );
    const config = loadConfig(["--config", file], {
      LATTICE_SERVER_NAME: "env.org",
      LATTICE_LISTEN: "127.0.0.1:7000",
      LATTICE_MAX_REQUEST_BODY_BYTES: "2048",
      LATTICE_OPEN_REGISTRATION: "yes",
      LATTICE_RESERVED_LOCALPARTS: "a, b ,c",
      LATTICE_RATE_LIMITS: "false",
      LATTICE_DATABASE: "postgres://lattice@db/lattice",
    });
    expect(config).toMatchObject({
      serverName: "env.org",
      listen: { host: "127.0.0.1", port: 7000 },
      maxRequestBodyBytes: 2048,
      registration: { open: true, reservedLocalparts: ["a", "b", "c"] },
      rateLimits: false,
      database: "postgres://lattice@db/lattice",
    });
  });

  it("ignore empty values, and name the variable when a value is not of its type", () => {
    expect(loadConfig([], { LATTICE_SERVER_NAME: "" }).serverName).toBe("localhost");
    expect(configError([], { LATTICE_OPEN_REGISTRATION: "maybe" })).toContain("LATTICE_OPEN_REGISTRATION");
    expect(configError([], { LATTICE_MAX_REQUEST_BODY_BYTES: "lots" })).toContain(
      "LATTICE_MAX_REQUEST_BODY_BYTES",
    );
  });
});

describe("flags", () => {
  it("override the environment, which overrides the file", () => {
    const file = yamlFile("server_name: file.org\nlog_level: error\nfederation_endpoint: file:1\n");
    const env = { LATTICE_SERVER_NAME: "env.org", LATTICE_LOG_LEVEL: "warn" };
    const config = loadConfig(["--config", file, "--server-name", "flag.org"], env);
    expect(config.serverName).toBe("flag.org");
    expect(config.logLevel).toBe("warn");
    expect(config.federationEndpoint).toBe("file:1");
  });

  it("take --flag VALUE and --flag=VALUE; switches need no value", () => {
    const config = loadConfig(
      [
        "--listen=127.0.0.1:0",
        "--open-registration",
        "--no-rate-limits",
        "--registration-tokens",
        "false",
        "--refreshable-access-token-lifetime-ms",
        "1000",
      ],
      { LATTICE_RATE_LIMITS: "true" },
    );
    expect(config.listen.port).toBe(0);
    expect(config.registration.open).toBe(true);
    expect(config.registration.tokens).toBe(false);
    expect(config.rateLimits).toBe(false);
    expect(config.refreshableAccessTokenLifetimeMs).toBe(1000);
    expect(loadConfig(["--open-registration=false"], {}).registration.open).toBe(false);
  });

  it("refuse an unknown flag or a missing value, listing the options", () => {
    expect(configError(["--lisen", "x"])).toContain("unknown option --lisen");
    expect(configError(["--lisen", "x"])).toContain("--listen");
    expect(configError(["--server-name"])).toContain("--server-name needs a value");
  });
});

describe("validation", () => {
  it("names the key and the fix for a bad listen address", () => {
    for (const listen of ["nonsense", "127.0.0.1", ":8008", "host:port"]) {
      const message = configError(["--listen", listen]);
      expect(message, listen).toContain('invalid configuration key "listen"');
      expect(message, listen).toContain("HOST:PORT");
      expect(message, listen).toContain("--listen");
      expect(message, listen).toContain("LATTICE_LISTEN");
    }
    expect(configError(["--listen", "127.0.0.1:70000"])).toContain("above 65535");
  });

  it("checks the other values", () => {
    expect(configError(["--server-name", "not a name"])).toContain('"server_name"');
    expect(configError(["--database", "mysql://x"])).toContain('"database"');
    expect(configError(["--public-baseurl", "not a url"])).toContain('"public_baseurl"');
    expect(configError(["--max-request-body-bytes", "-5"])).toContain('"max_request_body_bytes"');
    expect(configError(["--log-level", "loud"])).toContain('"log_level"');
    const secret = configError(["--registration-shared-secret", "short"]);
    expect(secret).toContain('"registration.shared_secret"');
    expect(secret).toContain("16");
  });
});
