/**
 * Local room aliases (spec: client-server-api "Room aliases", data/api/client-server/directory.yaml).
 * This server keeps aliases only on its own domain; resolving another server's alias is a federation
 * directory query (server-server-api "Querying for information": `GET /_matrix/federation/v1/query/
 * directory`), which plugs in at `resolve`.
 */
import type { Clock } from "../../ports/clock.js";
import type { DirectoryRepository } from "../../ports/store/directory.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import { parseRoomAlias } from "../../protocol/identifiers.js";
import type { JsonObject } from "../../protocol/json.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, MatrixError, notFound } from "../errors.js";
import type { EventCreator } from "../rooms/event-creator.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { accessState } from "./room-access.js";
import { maySendState, membershipOf } from "./room-power.js";

export class RoomAliases {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly events: EventCreator,
    private readonly clock: Clock,
    private readonly serverName: string,
  ) {}

  /** Whether the alias is syntactically an alias of this server (no store lookup). */
  isLocal(alias: string): boolean {
    return parseRoomAlias(alias)?.serverName === this.serverName;
  }

  /** An alias this server may hold: valid grammar (400 M_INVALID_PARAM) and this server's domain. */
  private localAlias(alias: string): string {
    const parsed = parseRoomAlias(alias);
    if (!parsed) throw invalidParam(`Room alias ${alias} is invalid`);
    if (parsed.serverName !== this.serverName) {
      throw invalidParam(`Room alias ${alias} is not on this server (${this.serverName})`);
    }
    return alias;
  }

  /** `PUT /directory/room/{roomAlias}`: the creator must be joined to the room, as in Synapse, unless
   * they are a server admin. */
  async create(requester: Requester, alias: string, roomId: string): Promise<void> {
    this.localAlias(alias);
    await this.versions.get(roomId);
    if (!requester.isAdmin && (await membershipOf(this.rooms, roomId, requester.userId)) !== "join") {
      throw forbidden("You must be in the room to create an alias for it");
    }
    const created = await this.directory.createAlias(alias, roomId, requester.userId, this.clock.now());
    if (!created) throw new MatrixError(409, "M_UNKNOWN", "Room alias already exists");
  }

  /** `GET /directory/room/{roomAlias}`. */
  async resolve(alias: string): Promise<{ room_id: string; servers: string[] }> {
    const parsed = parseRoomAlias(alias);
    if (!parsed) throw invalidParam(`Room alias ${alias} is invalid`);
    if (parsed.serverName !== this.serverName) {
      // Federation: ask the alias's server (GET /_matrix/federation/v1/query/directory) here.
      throw notFound(`Room alias ${alias} not found`);
    }
    const record = await this.directory.getAlias(alias);
    if (!record) throw notFound(`Room alias ${alias} not found`);
    return { room_id: record.roomId, servers: [this.serverName] };
  }

  /** A room ID as given, or the room an alias points to (`{roomIdOrAlias}` path parameters). */
  async resolveRoomIdOrAlias(target: string): Promise<string> {
    if (target.startsWith("!")) return target;
    if (target.startsWith("#")) return (await this.resolve(target)).room_id;
    throw invalidParam(`${target} is neither a room ID nor a room alias`);
  }

  /**
   * `DELETE /directory/room/{roomAlias}`: allowed for the alias's creator, a member with the power to
   * send `m.room.canonical_alias`, or a server admin (as Synapse). The alias is then dropped from the
   * room's `m.room.canonical_alias` as far as the requester may change it; the spec recommends deleting
   * the alias even when they may not.
   */
  async delete(requester: Requester, alias: string): Promise<void> {
    this.localAlias(alias);
    const record = await this.directory.getAlias(alias);
    if (!record) throw notFound(`Room alias ${alias} not found`);
    const allowed =
      requester.isAdmin ||
      record.creator === requester.userId ||
      ((await this.roomKnown(record.roomId)) &&
        (await maySendState(
          this.rooms,
          this.versions,
          record.roomId,
          requester.userId,
          "m.room.canonical_alias",
        )));
    if (!allowed) throw forbidden("You don't have permission to delete the alias");
    await this.directory.deleteAlias(alias);
    await this.dropFromCanonicalAlias(requester.userId, record.roomId, alias);
  }

  /** `GET /rooms/{roomId}/aliases`: for members, or anyone when the room is world readable. */
  async localAliases(requester: Requester, roomId: string): Promise<string[]> {
    await this.versions.get(roomId);
    if (!requester.isAdmin) {
      const { membership, historyVisibility } = await accessState(this.rooms, roomId, requester.userId);
      if (membership !== "join" && historyVisibility !== "world_readable") {
        throw forbidden("You are not a member of the room");
      }
    }
    return this.directory.aliasesOf(roomId);
  }

  /**
   * createRoom's `room_alias_name`: reserves `#name:server` (400 M_ROOM_IN_USE when taken) before the
   * room exists, creates the room with it as canonical alias, and binds it to the new room — or
   * releases it when creating the room fails.
   */
  async withReservedAlias(
    localpart: string,
    creator: string,
    createRoom: (alias: string) => Promise<string>,
  ): Promise<string> {
    const alias = `#${localpart}:${this.serverName}`;
    if (localpart === "" || /[\s:]/.test(localpart) || !parseRoomAlias(alias)) {
      throw invalidParam(`room_alias_name ${localpart} is not a valid alias localpart`);
    }
    if (!(await this.directory.reserveAlias(alias, creator, this.clock.now()))) {
      throw new MatrixError(400, "M_ROOM_IN_USE", "Room alias already taken");
    }
    try {
      const roomId = await createRoom(alias);
      await this.directory.bindReservedAlias(alias, roomId);
      return roomId;
    } catch (error) {
      await this.directory.releaseReservedAlias(alias);
      throw error;
    }
  }

  /** Room upgrades: every local alias of the old room now points at the new one. */
  moveAliases(fromRoomId: string, toRoomId: string): Promise<string[]> {
    return this.directory.moveAliases(fromRoomId, toRoomId);
  }

  private async roomKnown(roomId: string): Promise<boolean> {
    return (await this.rooms.getRoom(roomId)) !== undefined;
  }

  private async dropFromCanonicalAlias(sender: string, roomId: string, alias: string): Promise<void> {
    if (!(await this.roomKnown(roomId))) return;
    const [event] = await this.rooms.currentState(roomId, [["m.room.canonical_alias", ""]]);
    if (!event) return;
    const content: JsonObject = { ...event.pdu.content };
    let changed = false;
    if (content.alias === alias) {
      delete content.alias;
      changed = true;
    }
    if (Array.isArray(content.alt_aliases) && content.alt_aliases.includes(alias)) {
      content.alt_aliases = content.alt_aliases.filter((a) => a !== alias);
      changed = true;
    }
    if (!changed) return;
    try {
      await this.events.create({ roomId, sender, type: "m.room.canonical_alias", stateKey: "", content });
    } catch (error) {
      // The requester may delete the alias without being allowed to change the room's state.
      if (!(error instanceof MatrixError) || error.status !== 403) throw error;
    }
  }
}
