/**
 * Starts a real Lattice server on a free loopback port for one test file, on an in-memory SQLite
 * store (or PostgreSQL with `database`), and gives a small HTTP client for it.
 */
import { loadConfig, type NodeConfig } from "../../src/runtime/node/config.js";
import { type RunningServer, startServer } from "../../src/runtime/node/server.js";

export interface TestServer extends RunningServer {
  config: NodeConfig;
  http: HttpClient;
}

/** Starts a server; `args` are CLI flags as `npm start --` would take them. */
export async function startTestServer(
  args: string[] = [],
  overrides: Partial<NodeConfig> = {},
): Promise<TestServer> {
  const config = {
    ...loadConfig(
      [
        "--listen",
        "127.0.0.1:0",
        "--server-name",
        "localhost",
        "--data",
        "/tmp/lattice-test-unused",
        ...args,
      ],
      {},
    ),
    database: "sqlite::memory:",
    logLevel: "silent" as const,
    ...overrides,
  };
  const server = await startServer(config);
  return { ...server, config, http: new HttpClient(server.url) };
}

export interface HttpResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = Record<string, any>>(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: leave the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get = <T = Record<string, any>>(path: string, token?: string) => this.request<T>("GET", path, { token });
  post = <T = Record<string, any>>(path: string, body: unknown, token?: string) =>
    this.request<T>("POST", path, { body, token });
  put = <T = Record<string, any>>(path: string, body: unknown, token?: string) =>
    this.request<T>("PUT", path, { body, token });
  delete = <T = Record<string, any>>(path: string, body?: unknown, token?: string) =>
    this.request<T>("DELETE", path, { body, token });
}

export interface TestUser {
  userId: string;
  accessToken: string;
  deviceId: string;
  password: string;
}

/** Registers a user through the open-registration dummy flow (the server must run with
 * --open-registration). */
export async function registerUser(
  http: HttpClient,
  username: string,
  password = "correct horse",
): Promise<TestUser> {
  const first = await http.post("/_matrix/client/v3/register", { username, password });
  if (first.status !== 401)
    throw new Error(`expected a UIA challenge, got ${first.status} ${JSON.stringify(first.body)}`);
  const done = await http.post("/_matrix/client/v3/register", {
    username,
    password,
    auth: { type: "m.login.dummy", session: first.body.session },
  });
  if (done.status !== 200)
    throw new Error(`registration failed: ${done.status} ${JSON.stringify(done.body)}`);
  return {
    userId: done.body.user_id,
    accessToken: done.body.access_token,
    deviceId: done.body.device_id,
    password,
  };
}
