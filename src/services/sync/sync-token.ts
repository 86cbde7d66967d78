/**
 * Sync tokens: the position of every stream a sync covers, e.g. `lat1.e120.a7.r3`. Opaque to
 * clients, stable across restarts (positions live in the store), and extensible: a stream added
 * later reads as position 0 from an older token.
 */
import { MatrixError } from "../errors.js";

export type StreamPositions = Record<string, number>;

const PREFIX = "lat1";

export function encodeSyncToken(positions: StreamPositions): string {
  const parts = Object.keys(positions)
    .sort()
    .map((key) => `${key}${positions[key]}`);
  return [PREFIX, ...parts].join(".");
}

export function decodeSyncToken(token: string): StreamPositions {
  const parts = token.split(".");
  if (parts[0] !== PREFIX) throw invalidToken(token);
  const positions: StreamPositions = {};
  for (const part of parts.slice(1)) {
    const match = /^([a-z]+)(\d{1,15})$/.exec(part);
    if (!match) throw invalidToken(token);
    positions[match[1] as string] = Number(match[2]);
  }
  return positions;
}

export function invalidToken(token: string): MatrixError {
  return new MatrixError(
    400,
    "M_INVALID_PARAM",
    `Unknown sync token ${token.slice(0, 64)}: it was not issued by this server; sync again without 'since'`,
  );
}
