/**
 * Starts Lattice on Node: opens the store, builds the services and the app, and listens. Used by
 * the CLI entry point and by the tests (port 0 picks a free port).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { KeyedMutex } from "../../adapters/memory/keyed-mutex.js";
import { LocalNotifier } from "../../adapters/memory/local-notifier.js";
import { nodeEd25519Signer } from "../../adapters/node/ed25519-signer.js";
import { scryptHasher } from "../../adapters/node/scrypt-hasher.js";
import { createApp } from "../../api/app.js";
import { corsHeaders } from "../../api/middleware/cors.js";
import { systemClock } from "../../ports/clock.js";
import { type Logger, silentLogger } from "../../ports/logger.js";
import { createServices, type Services } from "../../services/services.js";
import { handOverBufferedBody } from "./buffered-body.js";
import { listenBaseUrl, type NodeConfig } from "./config.js";
import { createMediaPorts, startMediaRetention } from "./media.js";
import { startPresenceTimer } from "./presence-timer.js";
import { openStore } from "./store.js";

/** How long a stop waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 3000;

export interface RunningServer {
  url: string;
  services: Services;
  /** Stops accepting connections, waits for in-flight requests (at most SHUTDOWN_GRACE_MS), then
   * closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: NodeConfig, logger: Logger = silentLogger): Promise<RunningServer> {
  const store = await openStore(config.database);
  const services = await createServices(
    {
      store,
      clock: systemClock,
      hasher: scryptHasher,
      roomLock: new KeyedMutex(),
      notifier: new LocalNotifier(),
      media: createMediaPorts(config),
      ed25519: nodeEd25519Signer,
    },
    config,
  );
  const stopMediaRetention = startMediaRetention(services.media, config.mediaPurgeIntervalMs, logger);
  const stopPresenceTimer = startPresenceTimer(services.presence, logger);
  const app = createApp({ services, logger });
  const listener = getRequestListener(app.fetch);
  const server: Server = createServer((req, res) => {
    // The client address, for rate limits and device last-seen; set here so a client cannot forge it.
    req.headers["x-lattice-client-ip"] = req.socket.remoteAddress ?? "";
    for (const [name, value] of corsHeaders) res.setHeader(name, value);
    handOverBufferedBody(req);
    return listener(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  // Port 0 (tests, benchmarks) picks a port only now; a default base URL naming port 0 would send
  // clients nowhere. Updated in place because the services hold this config object.
  if (config.publicBaseUrl === listenBaseUrl(config.listen.host, 0) && config.listen.port === 0) {
    config.publicBaseUrl = listenBaseUrl(config.listen.host, address.port);
  }
  return {
    url: `http://${host}:${address.port}`,
    services,
    async close() {
      stopMediaRetention();
      stopPresenceTimer();
      services.typing.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A long-poll (/sync up to its timeout) would hold the shutdown; after a grace period its
        // connection is closed, and the client retries against the restarted server.
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      });
      await store.close();
    },
  };
}
