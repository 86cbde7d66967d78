/** Account registration (spec: client-server-api "Account registration", `POST /register`). */
import type { Clock } from "../../ports/clock.js";
import type { PasswordHasher } from "../../ports/password-hasher.js";
import type { Store } from "../../ports/store.js";
import type { ServerConfig } from "../config.js";
import { forbidden, MatrixError } from "../errors.js";
import type { UserInteractiveAuth } from "../uia/user-interactive-auth.js";
import type { IssuedSession, SessionIssuer } from "./sessions.js";
import { assertValidNewLocalpart, userIdFor } from "./user-ids.js";

export interface RegisterRequest {
  kind: "user" | "guest";
  username?: string | undefined;
  password?: string | undefined;
  device_id?: string | undefined;
  initial_device_display_name?: string | undefined;
  inhibit_login?: boolean | undefined;
  refresh_token?: boolean | undefined;
  auth?: unknown;
}

export type RegisterResult = IssuedSession | { user_id: string };

export class Registration {
  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly config: Pick<ServerConfig, "serverName" | "registration">,
    private readonly uia: UserInteractiveAuth,
    private readonly sessions: SessionIssuer,
  ) {}

  async register(request: RegisterRequest): Promise<RegisterResult> {
    if (request.kind === "guest") {
      throw new MatrixError(403, "M_GUEST_ACCESS_FORBIDDEN", "Guest access is disabled");
    }
    const flows = this.flows();
    if (flows.length === 0) throw forbidden("Registration is disabled");
    // The username is checked before user-interactive auth, so a client learns early that it is taken.
    const localpart = request.username?.toLowerCase();
    if (localpart !== undefined) await this.assertAvailable(localpart);
    if (request.password === undefined) throw new MatrixError(400, "M_MISSING_PARAM", "Missing password");

    const session = await this.uia.authenticate({
      auth: request.auth,
      operation: "register",
      flows,
      checks: {
        "m.login.dummy": async () => {},
        "m.login.registration_token": async (auth) => {
          const token = auth.token;
          if (
            typeof token !== "string" ||
            !(await this.store.registrationTokens.consume(token, this.clock.now()))
          ) {
            throw new MatrixError(401, "M_FORBIDDEN", "Invalid registration token");
          }
        },
      },
    });

    const chosen = localpart ?? (await this.generateLocalpart());
    const userId = userIdFor(chosen, this.config.serverName);
    const created = await this.store.users.create({
      userId,
      localpart: chosen,
      passwordHash: await this.hasher.hash(request.password),
      isAdmin: false,
      isGuest: false,
      createdTs: this.clock.now(),
      displayname: chosen,
    });
    if (!created) throw new MatrixError(400, "M_USER_IN_USE", "Desired user ID is already taken.");
    await this.uia.finish(session);
    if (request.inhibit_login) return { user_id: userId };
    return this.sessions.issue({
      userId,
      deviceId: request.device_id,
      displayName: request.initial_device_display_name,
      refreshable: request.refresh_token,
    });
  }

  /** `GET /register/available`: true, or throws M_USER_IN_USE / M_INVALID_USERNAME. */
  async assertAvailable(localpart: string): Promise<void> {
    assertValidNewLocalpart(localpart, this.config.serverName);
    if (this.config.registration.reservedLocalparts.includes(localpart)) {
      throw new MatrixError(400, "M_USER_IN_USE", "This username is reserved");
    }
    if (await this.store.users.get(userIdFor(localpart, this.config.serverName))) {
      throw new MatrixError(400, "M_USER_IN_USE", "Desired user ID is already taken.");
    }
  }

  /** `GET /register/m.login.registration_token/validity`. */
  async tokenIsValid(token: string): Promise<boolean> {
    const record = await this.store.registrationTokens.get(token);
    if (!record || !this.config.registration.tokens) return false;
    if (record.expiryTs !== null && record.expiryTs <= this.clock.now()) return false;
    return record.usesAllowed === null || record.completed < record.usesAllowed;
  }

  flows(): string[][] {
    const flows: string[][] = [];
    if (this.config.registration.tokens) flows.push(["m.login.registration_token"]);
    if (this.config.registration.open) flows.push(["m.login.dummy"]);
    return flows;
  }

  /** A numeric localpart for clients that register without choosing one, as Synapse does. */
  private async generateLocalpart(): Promise<string> {
    for (;;) {
      const candidate = String(Math.floor(Math.random() * 1e12));
      if (!(await this.store.users.get(userIdFor(candidate, this.config.serverName)))) return candidate;
    }
  }
}
