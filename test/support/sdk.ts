/** matrix-js-sdk helpers shared by the tests that use it as the judge. */
import * as sdk from "matrix-js-sdk";
import type { Logger } from "matrix-js-sdk/lib/logger.js";
import type { TestUser } from "./server.js";

/** Keeps the SDK's request log out of the test output. */
export const quietLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  getChild: () => quietLogger,
};

/** Starts the SDK's real sync loop and resolves once its first sync is processed (PREPARED). */
export async function startSyncing(
  client: sdk.MatrixClient,
  initialSyncLimit = 10,
): Promise<sdk.MatrixClient> {
  const prepared = new Promise<void>((resolve) => {
    client.on(sdk.ClientEvent.Sync, (state) => {
      if (state === sdk.SyncState.Prepared) resolve();
    });
  });
  await client.startClient({ initialSyncLimit });
  await prepared;
  return client;
}

/** A client for `user` on `baseUrl` (not syncing). */
export function clientFor(baseUrl: string, user: TestUser): sdk.MatrixClient {
  return sdk.createClient({
    baseUrl,
    accessToken: user.accessToken,
    userId: user.userId,
    deviceId: user.deviceId,
    logger: quietLogger,
  });
}

/** A client for `user` on `baseUrl`, syncing (see startSyncing). */
function startSyncingClient(
  baseUrl: string,
  user: TestUser,
  initialSyncLimit = 10,
): Promise<sdk.MatrixClient> {
  return startSyncing(clientFor(baseUrl, user), initialSyncLimit);
}

/** Syncing clients a test file starts, stopped together when the file is done. */
export function syncingClients() {
  const started: sdk.MatrixClient[] = [];
  return {
    async start(baseUrl: string, user: TestUser): Promise<sdk.MatrixClient> {
      const client = await startSyncingClient(baseUrl, user);
      started.push(client);
      return client;
    },
    stopAll(): void {
      for (const client of started) client.stopClient();
    },
  };
}

/** Polls `predicate` (cheap, in memory) every 20 ms until it holds: the SDK emits some events
 * before its room objects are updated, so waiting on events alone can miss the moment. */
export async function waitUntil(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
