/**
 * Dot-separated property paths (spec: appendices "Dot-separated property paths"): `content.body` is
 * `body` in `content`; a literal dot or backslash in a name is escaped with a backslash
 * (`content.m\.relates_to`, `content.m\\foo`); any other escape is a literal backslash and character.
 */
import { isJsonObject, type JsonValue } from "../json.js";

/** The property names a path is made of. */
export function parsePropertyPath(path: string): string[] {
  const names: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i] as string;
    const next = path[i + 1];
    if (char === "\\" && (next === "." || next === "\\")) {
      current += next;
      i++;
    } else if (char === ".") {
      names.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  names.push(current);
  return names;
}

/** Parsed paths: rules name a handful of keys, evaluated for every recipient of every event. */
const parsedPaths = new Map<string, readonly string[]>();
const MAX_PARSED_PATHS = 1000;

function parsedPath(path: string): readonly string[] {
  let names = parsedPaths.get(path);
  if (!names) {
    if (parsedPaths.size >= MAX_PARSED_PATHS) parsedPaths.clear();
    names = parsePropertyPath(path);
    parsedPaths.set(path, names);
  }
  return names;
}

/** The value at the path, or undefined when some name along it is absent or not an object. */
export function propertyAt(value: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const name of parsedPath(path)) {
    if (!isJsonObject(current) || !Object.hasOwn(current, name)) return undefined;
    current = current[name];
  }
  return current;
}
