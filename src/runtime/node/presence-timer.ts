/** Runs the presence timeouts (idle, offline, currently_active) every few seconds on Node. */
import type { Logger } from "../../ports/logger.js";
import type { Presence } from "../../services/presence/presence.js";

export const PRESENCE_SWEEP_INTERVAL_MS = 5_000;

/** Returns the function that stops it. */
export function startPresenceTimer(
  presence: Presence,
  logger: Logger,
  intervalMs = PRESENCE_SWEEP_INTERVAL_MS,
): () => void {
  if (!presence.enabled) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    presence
      .sweep()
      .catch((error: Error) => logger.error({ err: error, stack: error.stack }, "presence timeouts failed"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
