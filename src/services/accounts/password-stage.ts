/** The `m.login.password` check shared by login and by user-interactive auth. */
import type { PasswordHasher } from "../../ports/password-hasher.js";
import type { UserRecord, UserRepository } from "../../ports/store/users.js";
import type { JsonObject } from "../../protocol/json.js";
import { isJsonObject } from "../../protocol/json.js";
import { forbidden, MatrixError } from "../errors.js";
import { localpartFromIdentifier, userIdFor } from "./user-ids.js";

/** The user a login or auth dict names: `identifier` of type `m.id.user`, or the legacy `user`. */
export function identifiedUser(auth: JsonObject, serverName: string): string {
  const identifier = auth.identifier;
  let user: unknown;
  if (isJsonObject(identifier)) {
    if (identifier.type !== "m.id.user") {
      throw new MatrixError(400, "M_UNKNOWN", `Identifier type ${String(identifier.type)} is not supported`);
    }
    user = identifier.user;
  } else {
    user = auth.user;
  }
  if (typeof user !== "string" || user.length === 0) {
    throw new MatrixError(400, "M_MISSING_PARAM", "Missing identifier.user");
  }
  const localpart = localpartFromIdentifier(user, serverName);
  if (localpart === undefined) throw forbidden("Invalid username or password");
  return userIdFor(localpart, serverName);
}

/** The user if the password is right; 403 M_FORBIDDEN otherwise (without saying which part was wrong). */
export async function checkPassword(
  users: UserRepository,
  hasher: PasswordHasher,
  userId: string,
  password: unknown,
): Promise<UserRecord> {
  if (typeof password !== "string") throw new MatrixError(400, "M_MISSING_PARAM", "Missing password");
  const user = await users.get(userId);
  if (!user?.passwordHash || !(await hasher.verify(password, user.passwordHash))) {
    if (user?.deactivated)
      throw new MatrixError(403, "M_USER_DEACTIVATED", "This account has been deactivated");
    throw forbidden("Invalid username or password");
  }
  return user;
}
