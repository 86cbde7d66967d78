/** What an administrator does to accounts: used by the admin CLI and the Synapse-compatible admin
 * API. Reserved names do not apply here: the admin chose the name. */
import type { Clock } from "../../ports/clock.js";
import type { PasswordHasher } from "../../ports/password-hasher.js";
import type { UserRecord } from "../../ports/store/users.js";
import type { Store } from "../../ports/store.js";
import type { ServerConfig } from "../config.js";
import { MatrixError, notFound } from "../errors.js";
import { assertValidNewLocalpart, localpartFromIdentifier, userIdFor } from "./user-ids.js";

export class UserAdmin {
  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly config: Pick<ServerConfig, "serverName">,
  ) {}

  async create(options: {
    localpart: string;
    password?: string | undefined;
    admin?: boolean | undefined;
    displayname?: string | undefined;
  }): Promise<UserRecord> {
    const localpart = options.localpart.toLowerCase();
    assertValidNewLocalpart(localpart, this.config.serverName);
    const userId = userIdFor(localpart, this.config.serverName);
    const created = await this.store.users.create({
      userId,
      localpart,
      passwordHash: options.password ? await this.hasher.hash(options.password) : null,
      isAdmin: options.admin ?? false,
      isGuest: false,
      createdTs: this.clock.now(),
      displayname: options.displayname ?? localpart,
    });
    if (!created) throw new MatrixError(400, "M_USER_IN_USE", `${userId} already exists`);
    return (await this.store.users.get(userId)) as UserRecord;
  }

  list(limit = 1000, from?: string): Promise<UserRecord[]> {
    return this.store.users.list({ limit, from });
  }

  async deactivate(nameOrId: string): Promise<string> {
    const localpart = localpartFromIdentifier(nameOrId, this.config.serverName);
    const userId = localpart === undefined ? undefined : userIdFor(localpart, this.config.serverName);
    if (!userId || !(await this.store.users.get(userId))) throw notFound(`No local user ${nameOrId}`);
    await this.store.users.deactivate(userId);
    return userId;
  }
}
