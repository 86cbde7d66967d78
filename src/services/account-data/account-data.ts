/** Per-user configuration stored on the server: global and per-room account data (spec:
 * client-server-api "Client Config"). */
import type { Notifier } from "../../ports/notifier.js";
import type { AccountDataRepository } from "../../ports/store/account-data.js";
import { isValidRoomId } from "../../protocol/identifiers.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, MatrixError, notFound } from "../errors.js";

/** Types the server maintains itself, through their own APIs (read markers, push rules); clients get
 * 405 M_BAD_JSON when they try to set them here (spec: `PUT /user/{userId}/account_data/{type}`). */
const SERVER_MANAGED_TYPES = new Set(["m.fully_read", "m.push_rules"]);

/** Global account data is stored under this room ID. */
const GLOBAL = "";

export class AccountData {
  constructor(
    private readonly accountData: AccountDataRepository,
    private readonly notifier: Notifier,
  ) {}

  /** Content of one entry; `roomId` undefined for global account data. */
  async get(requester: Requester, userId: string, roomId: string | undefined, type: string) {
    this.checkAccess(requester, userId, "read");
    if (roomId !== undefined) assertRoomId(roomId);
    const content = await this.accountData.get(userId, roomId ?? GLOBAL, type);
    if (!content)
      throw notFound(roomId === undefined ? "Account data not found" : "Room account data not found");
    return content;
  }

  /** Stores one entry; returns the position of the account data stream it was written at. */
  async put(
    requester: Requester,
    userId: string,
    roomId: string | undefined,
    type: string,
    content: JsonObject,
  ): Promise<number> {
    this.checkAccess(requester, userId, "set");
    if (roomId !== undefined) assertRoomId(roomId);
    if (SERVER_MANAGED_TYPES.has(type)) {
      throw new MatrixError(405, "M_BAD_JSON", `Cannot set ${type} through this API`);
    }
    const position = await this.accountData.put(userId, roomId ?? GLOBAL, type, content);
    this.notifier.notify({ stream: "account_data", position, userIds: [userId] });
    return position;
  }

  private checkAccess(requester: Requester, userId: string, verb: "read" | "set") {
    if (requester.userId !== userId) throw forbidden(`Cannot ${verb} account data for other users`);
  }
}

function assertRoomId(roomId: string): void {
  if (!isValidRoomId(roomId)) throw invalidParam(`${roomId} is not a valid room ID`);
}
