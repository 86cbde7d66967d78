import type { JsonValue } from "../../protocol/json.js";

/** Short-lived shared state (user-interactive auth sessions, nonces) that every process must see. */
export interface KeyValueRepository {
  get(namespace: string, key: string, nowTs: number): Promise<JsonValue | undefined>;
  put(namespace: string, key: string, value: JsonValue, expiresTs: number): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  /** Stores only if absent (or expired); false if a live value exists. */
  putIfAbsent(
    namespace: string,
    key: string,
    value: JsonValue,
    expiresTs: number,
    nowTs: number,
  ): Promise<boolean>;
}
