/** Stored filters (spec: client-server-api "Filtering", `POST /user/{userId}/filter`). */
import type { FilterRepository } from "../../ports/store/filters.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, MatrixError, notFound } from "../errors.js";
import { type SyncFilter, syncFilterSchema } from "./filter-schema.js";

export class Filters {
  constructor(private readonly filters: FilterRepository) {}

  /** Stores an already validated filter for the requester; returns its ID (never starting with `{`). */
  async create(requester: Requester, userId: string, filter: SyncFilter): Promise<string> {
    if (requester.userId !== userId) throw forbidden("Cannot create filters for other users");
    return this.filters.create(userId, filter as JsonObject);
  }

  async get(requester: Requester, userId: string, filterId: string): Promise<JsonObject> {
    if (requester.userId !== userId) throw forbidden("Cannot get filters for other users");
    const filter = await this.filters.get(userId, filterId);
    if (!filter) throw notFound("No such filter");
    return filter;
  }

  /**
   * The `filter` query parameter of `/sync` and friends: inline JSON when it starts with `{`, otherwise
   * the ID of one of the user's stored filters. Bad inline JSON is 400 M_NOT_JSON, an invalid filter
   * 400 M_BAD_JSON, an unknown ID 400 M_INVALID_PARAM (a bad parameter, not a missing resource).
   */
  async resolve(userId: string, param: string): Promise<SyncFilter> {
    if (param.startsWith("{")) {
      let value: unknown;
      try {
        value = JSON.parse(param);
      } catch {
        throw new MatrixError(400, "M_NOT_JSON", "The inline filter is not JSON");
      }
      return parseFilter(value);
    }
    const stored = await this.filters.get(userId, param);
    if (!stored) throw new MatrixError(400, "M_INVALID_PARAM", `No filter with ID ${param}`);
    // Stored filters were validated on upload.
    return stored as SyncFilter;
  }
}

/** Validates a filter; the first problem, with its path, becomes a 400 M_BAD_JSON. */
export function parseFilter(value: unknown): SyncFilter {
  const result = syncFilterSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : "filter";
  throw new MatrixError(400, "M_BAD_JSON", `Invalid filter ${path}: ${issue?.message ?? "invalid value"}`);
}
