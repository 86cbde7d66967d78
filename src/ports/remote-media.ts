/**
 * Fetching media that another server holds (`/_matrix/federation/v1/media/download`). Implemented
 * once federation exists; until then the media service runs without one and remote media is
 * 404 M_NOT_FOUND.
 */
import type { ThumbnailSpec } from "./thumbnailer.js";

export interface RemoteMedia {
  contentType: string;
  uploadName: string | null;
  body: ReadableStream<Uint8Array>;
}

export interface RemoteMediaFetcher {
  download(serverName: string, mediaId: string, maxBytes: number): Promise<RemoteMedia | undefined>;
  thumbnail(
    serverName: string,
    mediaId: string,
    spec: ThumbnailSpec,
    maxBytes: number,
  ): Promise<RemoteMedia | undefined>;
}
