/** The Node adapters behind the media services, chosen by config, and the retention timer. */
import { createHash } from "node:crypto";
import { FsMediaStore } from "../../adapters/fs-media/fs-media-store.js";
import { NodeHttpClient } from "../../adapters/node/http-client.js";
import { ipRangePolicy } from "../../adapters/node/ip-range-policy.js";
import { S3MediaStore } from "../../adapters/s3-media/s3-media-store.js";
import type { Logger } from "../../ports/logger.js";
import type { MediaStore } from "../../ports/media-store.js";
import type { MediaPorts, MediaServices } from "../../services/media/media-services.js";
import { lazySharpThumbnailer } from "./lazy-thumbnailer.js";
import type { NodeMediaConfig } from "./media-config.js";

const nodeSha256 = () => {
  const hash = createHash("sha256");
  return { update: (bytes: Uint8Array) => void hash.update(bytes), digestHex: () => hash.digest("hex") };
};

export function createMediaStore(config: NodeMediaConfig): MediaStore {
  const storage = config.mediaStorage;
  if (storage.kind === "local") return new FsMediaStore(storage.path);
  return new S3MediaStore({ ...storage, createHash: nodeSha256 });
}

export function createMediaPorts(config: NodeMediaConfig): MediaPorts {
  return {
    mediaStore: createMediaStore(config),
    thumbnailer: lazySharpThumbnailer,
    httpClient: new NodeHttpClient(ipRangePolicy(config.ipRangeBlocklist, config.ipRangeAllowlist)),
  };
}

/** Runs `media_retention` every `intervalMs`; returns the function that stops it. */
export function startMediaRetention(media: MediaServices, intervalMs: number, logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    media.admin
      .purgeExpired()
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted }, "media retention purged media");
      })
      .catch((error: Error) => logger.error({ err: error, stack: error.stack }, "media retention failed"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
