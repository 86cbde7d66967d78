/** Password change and deactivation (spec: client-server-api "Account management"). */
import type { PasswordHasher } from "../../ports/password-hasher.js";
import type { Store } from "../../ports/store.js";
import type { ServerConfig } from "../config.js";
import { forbidden } from "../errors.js";
import type { UserInteractiveAuth } from "../uia/user-interactive-auth.js";
import type { Requester } from "./authenticate.js";
import { checkPassword, identifiedUser } from "./password-stage.js";

export class AccountManagement {
  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly config: Pick<ServerConfig, "serverName">,
    private readonly uia: UserInteractiveAuth,
    /** Called after devices are deleted here (end-to-end keys go with them: a device list change). */
    private readonly devicesDeleted: (userId: string, deviceIds: string[]) => Promise<void> = async () => {},
  ) {}

  /** Asks the requester to re-enter their password (the UIA stage every sensitive operation uses). */
  async confirmIdentity(requester: Requester, auth: unknown, operation: string): Promise<void> {
    const session = await this.uia.authenticate({
      auth,
      operation: `${operation}:${requester.userId}`,
      flows: [["m.login.password"]],
      checks: {
        "m.login.password": async (dict) => {
          if (identifiedUser(dict, this.config.serverName) !== requester.userId) {
            throw forbidden("You can only authenticate as yourself");
          }
          await checkPassword(this.store.users, this.hasher, requester.userId, dict.password);
        },
      },
    });
    await this.uia.finish(session);
  }

  async changePassword(requester: Requester, newPassword: string, logoutDevices: boolean, auth: unknown) {
    await this.confirmIdentity(requester, auth, "password");
    await this.store.users.setPasswordHash(requester.userId, await this.hasher.hash(newPassword));
    if (logoutDevices) {
      const others = (await this.store.devices.list(requester.userId))
        .map((d) => d.deviceId)
        .filter((d) => d !== requester.deviceId);
      await this.store.devices.deleteAllExcept(requester.userId, requester.deviceId);
      await this.devicesDeleted(requester.userId, others);
    }
  }

  async deactivate(requester: Requester, auth: unknown): Promise<void> {
    await this.confirmIdentity(requester, auth, "deactivate");
    const devices = (await this.store.devices.list(requester.userId)).map((d) => d.deviceId);
    await this.store.users.deactivate(requester.userId);
    await this.devicesDeleted(requester.userId, devices);
  }
}
