/**
 * The two identifier questions the auth rules ask: which server an ID belongs to, and whether a
 * string passes the user ID validation applied to `sender`.
 */

import { isValidUserId } from "../identifiers.js";

/** The server name of a user ID, a room ID (v1–v11) or a v1/v2 event ID: everything after the first
 * colon (content/appendices.md "Common Identifier Format": `&localpart:domain`). */
export function domainOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  return colon < 0 ? undefined : id.slice(colon + 1);
}

/**
 * The user ID validation the auth rules apply (power level `users` keys, v12 `additional_creators`):
 * the validation applied to `sender`, i.e. every user ID servers must accept in events, historical
 * and non-compliant localparts included (MSC4289: refusing them would split rooms that hold them).
 */
export function isValidUserIdForAuth(id: string): boolean {
  return isValidUserId(id);
}
