/**
 * What administrators do to media (the Synapse admin API's media endpoints) and the retention job
 * (`media_retention`): quarantine, delete, list a user's media, purge expired media.
 */
import type { Clock } from "../../ports/clock.js";
import type { MediaRecord, MediaRepository } from "../../ports/store/media.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, notFound } from "../errors.js";
import type { MediaConfig } from "./media-config.js";
import { assertMediaKey } from "./media-ids.js";
import type { MediaService } from "./media-service.js";

const PURGE_BATCH = 500;

export class MediaAdmin {
  constructor(
    private readonly media: MediaRepository,
    private readonly mediaService: MediaService,
    private readonly clock: Clock,
    private readonly config: { serverName: string; media: MediaConfig },
  ) {}

  async quarantine(requester: Requester, serverName: string, mediaId: string, on: boolean): Promise<void> {
    assertAdmin(requester);
    assertMediaKey(serverName, mediaId);
    if (!(await this.media.setQuarantined(serverName, mediaId, on ? requester.userId : null))) {
      throw notFound("No such media");
    }
  }

  async delete(requester: Requester, serverName: string, mediaId: string): Promise<void> {
    assertAdmin(requester);
    assertMediaKey(serverName, mediaId);
    if (!(await this.deleteMedia(serverName, mediaId))) throw notFound("No such media");
  }

  async listUserMedia(
    requester: Requester,
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ media: MediaRecord[]; total: number }> {
    assertAdmin(requester);
    return this.media.listByUser(userId, page);
  }

  /**
   * Deletes media past its lifetime (by last access: `local_media_lifetime`,
   * `remote_media_lifetime`) and lapsed upload reservations. Returns how many were deleted. The
   * Node runtime runs it on a timer; it is safe to run from several processes at once.
   */
  async purgeExpired(now = this.clock.now()): Promise<number> {
    const { localMediaLifetimeMs, remoteMediaLifetimeMs } = this.config.media;
    let deleted = 0;
    for (;;) {
      const batch = await this.media.listExpired({
        localServerName: this.config.serverName,
        localBefore: localMediaLifetimeMs === null ? null : now - localMediaLifetimeMs,
        remoteBefore: remoteMediaLifetimeMs === null ? null : now - remoteMediaLifetimeMs,
        nowTs: now,
        limit: PURGE_BATCH,
      });
      for (const { serverName, mediaId } of batch) {
        if (await this.deleteMedia(serverName, mediaId)) deleted++;
      }
      if (batch.length < PURGE_BATCH) return deleted;
    }
  }

  private async deleteMedia(serverName: string, mediaId: string): Promise<boolean> {
    const blobs = await this.media.delete(serverName, mediaId);
    if (!blobs) return false;
    await this.mediaService.freeBlobs(blobs);
    return true;
  }
}

function assertAdmin(requester: Requester): void {
  if (!requester.isAdmin) throw forbidden("You are not a server admin");
}
