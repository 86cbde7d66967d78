/**
 * The one check on `m.room.canonical_alias` content sent by clients (spec: data/api/client-server/
 * room_state.yaml, 400 responses): an alias with invalid syntax is 400 M_INVALID_PARAM; an alias of
 * this server that does not point to the room is 400 M_BAD_ALIAS. As in Synapse, only aliases the
 * event adds are checked, so a room can keep advertising an alias that has since drifted away.
 */
import type { DirectoryRepository } from "../../ports/store/directory.js";
import type { RoomRepository } from "../../ports/store/rooms.js";
import { parseRoomAlias } from "../../protocol/identifiers.js";
import type { JsonObject } from "../../protocol/json.js";
import { invalidParam, MatrixError } from "../errors.js";

export function canonicalAliasCheck(
  rooms: RoomRepository,
  directory: DirectoryRepository,
  serverName: string,
) {
  return async (roomId: string, type: string, stateKey: string, content: JsonObject): Promise<void> => {
    if (type !== "m.room.canonical_alias" || stateKey !== "") return;
    const alias = content.alias;
    const alt = content.alt_aliases ?? [];
    if (alias !== undefined && alias !== null && typeof alias !== "string") {
      throw invalidParam("alias must be a string");
    }
    if (!Array.isArray(alt) || alt.some((a) => typeof a !== "string")) {
      throw invalidParam("alt_aliases must be a list of room aliases");
    }
    const [previous] = await rooms.currentState(roomId, [["m.room.canonical_alias", ""]]);
    const before = new Set<unknown>([previous?.pdu.content.alias]);
    const previousAlt = previous?.pdu.content.alt_aliases;
    if (Array.isArray(previousAlt)) for (const a of previousAlt) before.add(a);

    const added = [...(alias ? [alias] : []), ...(alt as string[])].filter((a) => !before.has(a));
    for (const candidate of added) {
      const parsed = parseRoomAlias(candidate);
      if (!parsed) throw invalidParam(`${candidate} is not a valid room alias`);
      // Aliases of other servers would need a federation directory query; they pass unchecked.
      if (parsed.serverName !== serverName) continue;
      const record = await directory.getAlias(candidate);
      if (record?.roomId !== roomId) {
        throw new MatrixError(400, "M_BAD_ALIAS", `The alias ${candidate} does not point to this room`);
      }
    }
  };
}
