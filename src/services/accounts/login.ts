/** Password login (spec: client-server-api "Login", `POST /login`). */
import type { PasswordHasher } from "../../ports/password-hasher.js";
import type { UserRepository } from "../../ports/store/users.js";
import type { JsonObject } from "../../protocol/json.js";
import type { ServerConfig } from "../config.js";
import { MatrixError } from "../errors.js";
import { checkPassword, identifiedUser } from "./password-stage.js";
import type { IssuedSession, SessionIssuer } from "./sessions.js";

export const LOGIN_FLOWS = [{ type: "m.login.password" }];

export class Login {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: Pick<ServerConfig, "serverName">,
    private readonly sessions: SessionIssuer,
  ) {}

  async login(request: JsonObject): Promise<IssuedSession> {
    if (request.type !== "m.login.password") {
      throw new MatrixError(400, "M_UNKNOWN", `Login type ${String(request.type)} is not supported`);
    }
    const userId = identifiedUser(request, this.config.serverName);
    const user = await checkPassword(this.users, this.hasher, userId, request.password);
    if (user.deactivated)
      throw new MatrixError(403, "M_USER_DEACTIVATED", "This account has been deactivated");
    return this.sessions.issue({
      userId,
      deviceId: typeof request.device_id === "string" ? request.device_id : undefined,
      displayName:
        typeof request.initial_device_display_name === "string"
          ? request.initial_device_display_name
          : undefined,
      refreshable: request.refresh_token === true,
    });
  }
}
