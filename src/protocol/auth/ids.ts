/**
 * The two identifier questions the auth rules ask: which server an ID belongs to, and whether a
 * string passes the user ID validation applied to `sender`.
 */

/** The server name of a user ID, a room ID (v1–v11) or a v1/v2 event ID: everything after the first
 * colon (content/appendices.md "Common Identifier Format": `&localpart:domain`). */
export function domainOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  return colon < 0 ? undefined : id.slice(colon + 1);
}

/**
 * The user ID validation the auth rules apply (power level `users` keys, v12 `additional_creators`):
 * the `@` sigil, a localpart and a server name. Deliberately the lenient historical grammar
 * (appendices.md "Historical User IDs"), as MSC4289 asks: rooms still hold users whose IDs predate the
 * strict grammar, and refusing them would split the room.
 */
export function isValidUserIdForAuth(id: string): boolean {
  if (id.charCodeAt(0) !== 0x40) return false;
  const colon = id.indexOf(":");
  return colon > 0 && colon < id.length - 1;
}
