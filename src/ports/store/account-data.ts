import type { JsonObject } from "../../protocol/json.js";

export interface AccountDataRepository {
  /** Stores the content and returns the new position of the account data stream. `roomId` "" is
   * global account data. */
  put(userId: string, roomId: string, type: string, content: JsonObject): Promise<number>;
  get(userId: string, roomId: string, type: string): Promise<JsonObject | undefined>;
  /** Entries changed after `since` (a stream position), or all when since is 0. */
  changedSince(
    userId: string,
    since: number,
  ): Promise<Array<{ roomId: string; type: string; content: JsonObject; streamId: number }>>;
}
