/** `npm start -- [options]`: runs the homeserver until SIGTERM or SIGINT. */
import { ConfigError, loadConfig } from "./config.js";
import { lowerHelperThreadPriority } from "./helper-threads.js";
import { createPinoLogger } from "./logger.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`lattice: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createPinoLogger(config.logLevel);
  const lowered = lowerHelperThreadPriority();
  if (lowered > 0) logger.info({ threads: lowered }, "helper threads lowered to the lowest CPU priority");
  const server = await startServer(config, logger);
  console.log(`listening on ${server.url}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await server.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error("lattice: failed to start:", error);
  process.exit(1);
});
