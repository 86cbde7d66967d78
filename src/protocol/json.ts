/**
 * JSON values as they travel in Matrix: events, signed objects, request bodies.
 *
 * Numbers are JS numbers; canonical JSON (content/appendices.md "Canonical JSON") further restricts
 * them to integers in [-(2^53)+1, 2^53-1] — see `canonical-json.ts`.
 */

export type JsonPrimitive = string | number | boolean | null;

export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy, so a rule can hand back parts of its input without sharing them. Iterative, because a
 * hostile event can nest deeper than the call stack (JSON.parse accepts it).
 */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const root: JsonValue = Array.isArray(value) ? [] : {};
  const pending: [source: JsonObject | JsonValue[], target: JsonObject | JsonValue[]][] = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    for (const [key, item] of Object.entries(source)) {
      let copy: JsonValue = item;
      if (typeof item === "object" && item !== null) {
        copy = Array.isArray(item) ? [] : {};
        pending.push([item, copy]);
      }
      if (Array.isArray(target)) target.push(copy);
      else setJsonMember(target, key, copy);
    }
  }
  return root as T;
}

/**
 * `object[key] = value`, safe for the key `__proto__`: JSON.parse makes it an ordinary member, but
 * assignment would change the object's prototype instead, silently dropping the member from what is
 * hashed and signed.
 */
export function setJsonMember(object: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}
