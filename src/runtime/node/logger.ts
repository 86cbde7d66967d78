import pino from "pino";
import type { Logger } from "../../ports/logger.js";

/** One JSON line per log record on stdout. */
export function createPinoLogger(level: string): Logger {
  const log = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  return {
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
