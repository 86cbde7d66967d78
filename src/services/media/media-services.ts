/** Builds the media services from their ports (wired into `createServices`). */
import type { Clock } from "../../ports/clock.js";
import type { HttpClient } from "../../ports/http-client.js";
import type { MediaStore } from "../../ports/media-store.js";
import type { RemoteMediaFetcher } from "../../ports/remote-media.js";
import type { Store } from "../../ports/store.js";
import type { Thumbnailer } from "../../ports/thumbnailer.js";
import type { ServerConfig } from "../config.js";
import { RateLimiter } from "../rate-limit/rate-limiter.js";
import { MediaAdmin } from "./media-admin.js";
import { MediaService } from "./media-service.js";
import { ThumbnailService } from "./thumbnails.js";
import { UrlPreviews } from "./url-preview.js";

export interface MediaPorts {
  mediaStore: MediaStore;
  thumbnailer: Thumbnailer;
  /** Outbound HTTP with the IP range blocklist. */
  httpClient: HttpClient;
  /** Absent until federation exists: remote media is then 404. */
  remoteMedia?: RemoteMediaFetcher;
}

export interface MediaServices {
  content: MediaService;
  thumbnails: ThumbnailService;
  admin: MediaAdmin;
  previews: UrlPreviews;
}

const unavailable = (): never => {
  throw new Error("media is not available in this runtime");
};

/** For a runtime that serves no media (the admin CLI): every use fails loudly. */
const unavailablePorts: MediaPorts = {
  mediaStore: { put: unavailable, get: unavailable, delete: unavailable, exists: unavailable },
  thumbnailer: { probe: unavailable, generate: unavailable },
  httpClient: { request: unavailable },
};

export function createMediaServices(
  ports: MediaPorts | undefined,
  store: Store,
  clock: Clock,
  config: ServerConfig,
): MediaServices {
  const { mediaStore, thumbnailer, httpClient, remoteMedia } = ports ?? unavailablePorts;
  let thumbnails: ThumbnailService | undefined;
  const content = new MediaService(
    store.media,
    mediaStore,
    clock,
    config,
    new RateLimiter(config.media.uploadRateLimit, clock, config.rateLimits),
    remoteMedia,
    (record) => thumbnails?.pregenerate(record) ?? Promise.resolve(),
  );
  thumbnails = new ThumbnailService(content, store.media, mediaStore, thumbnailer, config);
  return {
    content,
    thumbnails,
    admin: new MediaAdmin(store.media, content, clock, config),
    previews: new UrlPreviews(httpClient, store.keyValue, content, clock, config),
  };
}
