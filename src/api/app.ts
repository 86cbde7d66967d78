/**
 * The HTTP application: Web-standard Request in, Response out (Hono), so it runs unchanged on Node
 * and on Workers. Handlers parse, call one service, shape the response.
 */
import { Hono } from "hono";
import type { Logger } from "../ports/logger.js";
import { MatrixError } from "../services/errors.js";
import type { Services } from "../services/services.js";
import { accountEndpoints } from "./client/account.js";
import { accountDataEndpoints } from "./client/account-data.js";
import { capabilitiesEndpoints } from "./client/capabilities.js";
import { createRoomEndpoints } from "./client/create-room.js";
import { dehydratedDeviceEndpoints } from "./client/dehydrated-device.js";
import { deviceEndpoints } from "./client/devices.js";
import { directoryEndpoints } from "./client/directory.js";
import { filterEndpoints } from "./client/filter.js";
import { keyBackupEndpoints } from "./client/key-backup.js";
import { keysEndpoints } from "./client/keys.js";
import { loginEndpoints } from "./client/login.js";
import { membershipEndpoints } from "./client/membership.js";
import { presenceEndpoints } from "./client/presence.js";
import { profileEndpoints } from "./client/profile.js";
import { pushEndpoints } from "./client/push.js";
import { receiptEndpoints } from "./client/receipts.js";
import { registerEndpoints } from "./client/register.js";
import { relationEndpoints } from "./client/relations.js";
import { reportContentEndpoints } from "./client/report-content.js";
import { roomEventEndpoints } from "./client/room-events.js";
import { roomHistoryEndpoints } from "./client/room-history.js";
import { roomSummaryEndpoints } from "./client/room-summary.js";
import { roomUpgradeEndpoints } from "./client/room-upgrade.js";
import { searchEndpoints } from "./client/search.js";
import { syncEndpoints } from "./client/sync.js";
import { timestampToEventEndpoints } from "./client/timestamp-to-event.js";
import { toDeviceEndpoints } from "./client/to-device.js";
import { typingEndpoints } from "./client/typing.js";
import { userDirectoryEndpoints } from "./client/user-directory.js";
import { versionsEndpoints } from "./client/versions.js";
import type { AppEnv } from "./env.js";
import { keyEndpoints } from "./federation/keys.js";
import { mediaConfigEndpoints } from "./media/config-preview.js";
import { downloadEndpoints } from "./media/download.js";
import { uploadEndpoints } from "./media/upload.js";
import { RequestMetrics } from "./metrics.js";
import { RouteTable } from "./routes.js";
import { synapseAdminMediaEndpoints } from "./synapse-admin/media.js";
import { synapseAdminRegisterEndpoints } from "./synapse-admin/register.js";
import { synapseAdminReportEndpoints } from "./synapse-admin/reports.js";
import { wellKnownEndpoints } from "./well-known.js";

export interface AppOptions {
  services: Services;
  logger: Logger;
}

export function createApp({ services, logger }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const metrics = new RequestMetrics();
  const routes = new RouteTable(app, services);

  app.use(async (c, next) => {
    const started = performance.now();
    c.set("maxBodyBytes", services.config.maxRequestBodyBytes);
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.get("route") ?? "unmatched";
    metrics.observe(c.req.method, route, c.res.status, seconds);
    logger.info(
      {
        method: c.req.method,
        // The path only: the query may hold a deprecated access_token.
        path: c.req.path,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 1000 * 100) / 100,
        user: c.get("requester")?.userId,
      },
      "request",
    );
  });

  // CORS preflight for every path, known or not (spec: client-server-api "Web Browser Clients"); the
  // runtime adds the CORS headers to every response (see middleware/cors.ts).
  app.options("*", (c) => c.body(null, 204));

  app.get("/health", (c) => c.text("OK"));
  app.get("/metrics", (c) =>
    c.text(
      `${metrics.render()}# HELP lattice_db_queries_total Database statements run since start.\n# TYPE lattice_db_queries_total counter\nlattice_db_queries_total ${services.store.queryCount()}\n`,
      200,
      { "content-type": "text/plain; version=0.0.4" },
    ),
  );

  routes.mount([
    ...versionsEndpoints(),
    ...wellKnownEndpoints(services),
    ...capabilitiesEndpoints(),
    ...registerEndpoints(services),
    ...loginEndpoints(services),
    ...accountEndpoints(services),
    ...createRoomEndpoints(services),
    ...membershipEndpoints(services),
    ...roomEventEndpoints(services),
    ...roomHistoryEndpoints(services),
    ...relationEndpoints(services),
    ...timestampToEventEndpoints(services),
    ...receiptEndpoints(services),
    ...searchEndpoints(services),
    ...syncEndpoints(services),
    ...pushEndpoints(services),
    ...typingEndpoints(services),
    ...presenceEndpoints(services),
    ...toDeviceEndpoints(services),
    ...keysEndpoints(services),
    ...keyBackupEndpoints(services),
    ...dehydratedDeviceEndpoints(services),
    ...deviceEndpoints(services),
    ...profileEndpoints(services),
    ...accountDataEndpoints(services),
    ...filterEndpoints(services),
    ...userDirectoryEndpoints(services),
    ...directoryEndpoints(services),
    ...roomUpgradeEndpoints(services),
    ...reportContentEndpoints(services),
    ...roomSummaryEndpoints(services),
    ...keyEndpoints(services),
    ...synapseAdminRegisterEndpoints(services),
    ...synapseAdminReportEndpoints(services),
    ...uploadEndpoints(services),
    ...downloadEndpoints(services),
    ...mediaConfigEndpoints(services),
    ...synapseAdminMediaEndpoints(services),
  ]);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (routes.knows(path)) {
      return c.json({ errcode: "M_UNRECOGNIZED", error: "Method not allowed for this endpoint" }, 405);
    }
    return c.json({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }, 404);
  });

  app.onError((error, c) => {
    if (error instanceof MatrixError) {
      return c.json(error.toJSON(), error.status as 400, error.headers);
    }
    logger.error({ err: error, stack: (error as Error).stack, route: c.get("route") }, "unhandled error");
    return c.json({ errcode: "M_UNKNOWN", error: "Internal server error" }, 500);
  });

  return app;
}
