/** Localpart rules for new accounts (spec: appendices "User Identifiers": new localparts use only
 * a-z, 0-9, `.`, `_`, `=`, `-`, `/` and `+`; the whole ID is at most 255 bytes). */
import { isValidNewUserLocalpart, MAX_ID_BYTES, utf8Length } from "../../protocol/identifiers.js";
import { MatrixError } from "../errors.js";

export function userIdFor(localpart: string, serverName: string): string {
  return `@${localpart}:${serverName}`;
}

/** Validates a localpart chosen for a new account; throws M_INVALID_USERNAME naming the problem. */
export function assertValidNewLocalpart(localpart: string, serverName: string): void {
  if (localpart.length === 0) throw new MatrixError(400, "M_INVALID_USERNAME", "The username is empty");
  if (!isValidNewUserLocalpart(localpart)) {
    throw new MatrixError(
      400,
      "M_INVALID_USERNAME",
      "User ID may only contain lower-case letters, digits and the characters ._=-/+",
    );
  }
  if (utf8Length(userIdFor(localpart, serverName)) > MAX_ID_BYTES) {
    throw new MatrixError(400, "M_INVALID_USERNAME", "User ID is longer than 255 bytes");
  }
}

/** The localpart named by a login identifier: a bare localpart or a full user ID of this server.
 * Undefined when it names another server's user. */
export function localpartFromIdentifier(user: string, serverName: string): string | undefined {
  if (!user.startsWith("@")) return user.toLowerCase();
  const colon = user.indexOf(":");
  if (colon < 0 || user.slice(colon + 1) !== serverName) return undefined;
  return user.slice(1, colon).toLowerCase();
}
