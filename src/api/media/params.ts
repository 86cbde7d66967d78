/** Query parameters shared by the media endpoints. */
import { z } from "zod";
import type { Ctx } from "../env.js";
import { readQuery } from "../json-body.js";

/** Spec default for `timeout_ms` is 20 seconds. */
const DEFAULT_TIMEOUT_MS = 20_000;

const timeoutQuery = z.object({
  timeout_ms: z.coerce.number().int().nonnegative().optional(),
});

export function timeoutMs(c: Ctx): number {
  return readQuery(c, timeoutQuery.passthrough()).timeout_ms ?? DEFAULT_TIMEOUT_MS;
}

export const thumbnailQuery = z.object({
  width: z.coerce.number().int().positive().max(10_000),
  height: z.coerce.number().int().positive().max(10_000),
  method: z.enum(["crop", "scale"]).default("scale"),
  animated: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
  timeout_ms: z.coerce.number().int().nonnegative().default(DEFAULT_TIMEOUT_MS),
});

/** A request body as a stream, with what the client declared about it. */
export function uploadInput(c: Ctx) {
  const length = c.req.header("content-length");
  return {
    body: c.req.raw.body,
    contentType: c.req.header("content-type"),
    fileName: c.req.query("filename"),
    contentLength: length === undefined ? undefined : Number(length),
  };
}
