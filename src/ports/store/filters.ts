import type { JsonObject } from "../../protocol/json.js";

export interface FilterRepository {
  /** Stores the filter and returns its ID (unique per user). */
  create(userId: string, filter: JsonObject): Promise<string>;
  get(userId: string, filterId: string): Promise<JsonObject | undefined>;
}
