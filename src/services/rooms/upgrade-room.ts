/**
 * Room upgrades (spec: client-server-api "Room Upgrades", "Server behaviour"; MSC4289 for room
 * version 12 creators): a new room whose create event names its predecessor, the transferable state
 * copied over, local aliases and the directory listing moved, a tombstone in the old room pointing at
 * the new one, and the old room's power levels raised so ordinary members can no longer talk or invite.
 *
 * Lock order: every event goes through the EventCreator, which takes one room's lock per event; this
 * service never holds a lock while writing to the other room.
 */
import type { RoomRepository, StoredEvent } from "../../ports/store/rooms.js";
import { parseUserId } from "../../protocol/identifiers.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../../protocol/json.js";
import { canDo, parseLevel, powerLevelsFrom, roomCreators, userLevel } from "../../protocol/power-levels.js";
import { getRoomVersion, type RoomVersion } from "../../protocol/room-versions.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, invalidParam, MatrixError } from "../errors.js";
import type { EventCreator } from "./event-creator.js";
import type { Membership } from "./membership.js";
import type { RoomVersionCache } from "./room-version-cache.js";

/** The state the spec recommends transferring (plus the space links, so an upgraded space keeps its
 * rooms), in the order it is sent. Power levels and the canonical alias are handled on their own. */
const TRANSFERRED_STATE = [
  "m.room.join_rules",
  "m.room.history_visibility",
  "m.room.guest_access",
  "m.room.name",
  "m.room.topic",
  "m.room.avatar",
  "m.room.encryption",
  "m.room.server_acl",
  "m.space.child",
  "m.space.parent",
];

/** What the old room's ordinary members are limited to after the upgrade (spec: "setting
 * `events_default` and `invite` to the greater of `50` and `users_default + 1`"). */
const RESTRICTED_KEYS = ["events_default", "invite"] as const;

/** Moving a room's local aliases to its successor (services/directory/aliases.ts). */
export interface DirectoryMove {
  moveAliases(fromRoomId: string, toRoomId: string): Promise<string[]>;
}

export class RoomUpgrader {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly events: EventCreator,
    private readonly membership: Membership,
    private readonly directory: DirectoryMove,
  ) {}

  /** `POST /rooms/{roomId}/upgrade`; returns the replacement room's ID. */
  async upgrade(
    requester: Requester,
    roomId: string,
    newVersionId: string,
    additionalCreators: string[] = [],
  ): Promise<string> {
    const newVersion = getRoomVersion(newVersionId);
    if (!newVersion) {
      throw new MatrixError(
        400,
        "M_UNSUPPORTED_ROOM_VERSION",
        `Room version ${newVersionId} is not supported`,
      );
    }
    for (const user of additionalCreators) {
      if (!parseUserId(user)) throw invalidParam(`additional_creators: ${user} is not a user ID`);
    }
    const oldVersion = await this.versions.get(roomId);
    const sender = requester.userId;
    const state = await this.rooms.currentState(roomId);
    const byKey = new Map(state.map((e) => [`${e.pdu.type}\u0000${e.pdu.state_key ?? ""}`, e]));
    const stateEvent = (type: string, key = "") => byKey.get(`${type}\u0000${key}`);

    const oldCreate = stateEvent("m.room.create");
    const oldPowerLevels = stateEvent("m.room.power_levels");
    const levels = powerLevelsFrom(oldPowerLevels?.pdu, oldCreate?.pdu, oldVersion.authorization);
    const joined = stateEvent("m.room.member", sender)?.pdu.content.membership === "join";
    if (!joined || !canDo(levels, sender, { event: "m.room.tombstone", state: true })) {
      throw forbidden("You cannot upgrade this room");
    }

    // 1. The new room, naming its predecessor and keeping the room type.
    const [lastEvent] = await this.rooms.timeline(roomId, {
      from: (await this.rooms.maxStreamOrdering()) + 1,
      direction: "b",
      limit: 1,
    });
    const createContent: JsonObject = {
      room_version: newVersion.id,
      predecessor: lastEvent ? { room_id: roomId, event_id: lastEvent.eventId } : { room_id: roomId },
    };
    const oldCreateContent = oldCreate?.pdu.content ?? {};
    if (typeof oldCreateContent.type === "string") createContent.type = oldCreateContent.type;
    if (oldCreateContent["m.federate"] === false) createContent["m.federate"] = false;
    if (newVersion.authorization.creatorInContent) createContent.creator = sender;
    // Additional creators are not carried over: the request names the full set (spec note, v1.16).
    const extraCreators = [...new Set(additionalCreators)].filter((u) => u !== sender);
    if (newVersion.authorization.creatorsHaveInfinitePower && extraCreators.length > 0) {
      createContent.additional_creators = extraCreators;
    }
    const { roomId: newRoomId } = await this.events.createRoom(sender, newVersion, createContent);
    const send = (target: string, type: string, content: JsonObject, stateKey = "") =>
      this.events.create({ roomId: target, sender, type, content, stateKey });

    await this.membership.join(newRoomId, sender);

    // 2. Power levels, with the upgrader raised (if needed) to send the rest of the state.
    const newCreators = newVersion.authorization.creatorsHaveInfinitePower
      ? new Set([sender, ...extraCreators])
      : new Set<string>();
    const plContent = this.powerLevelsForNewRoom(
      oldPowerLevels,
      oldCreate,
      oldVersion,
      newVersion,
      newCreators,
    );
    // Without a power levels event the old room's creator had 100 (m.room.power_levels schema).
    if (!oldPowerLevels && !newCreators.has(sender)) (plContent.users as JsonObject)[sender] = 100;
    const users = plContent.users as JsonObject;
    const ownLevel = typeof users[sender] === "number" ? (users[sender] as number) : undefined;
    const needed = neededLevel(plContent);
    const raise = !newCreators.has(sender) && (ownLevel ?? Number(plContent.users_default ?? 0)) < needed;
    if (raise) users[sender] = needed;
    await send(newRoomId, "m.room.power_levels", plContent);

    // 3. The transferable state; an event the new version's auth rules refuse (a join rule it does
    // not know) is left behind rather than failing the upgrade.
    for (const type of TRANSFERRED_STATE) {
      for (const e of state.filter((s) => s.pdu.type === type)) {
        if (type.startsWith("m.space.") && !isJsonObject(e.pdu.content)) continue;
        try {
          await send(newRoomId, type, e.pdu.content, e.pdu.state_key ?? "");
        } catch (error) {
          if (!(error instanceof MatrixError) || error.status !== 403) throw error;
        }
      }
    }

    // 4. Local aliases and the canonical alias move to the new room; the old room stops advertising
    // the aliases that no longer point to it.
    const moved = new Set(await this.directory.moveAliases(roomId, newRoomId));
    const canonical = stateEvent("m.room.canonical_alias");
    if (canonical && Object.keys(canonical.pdu.content).length > 0) {
      await send(newRoomId, "m.room.canonical_alias", canonical.pdu.content);
      const remaining = withoutAliases(canonical.pdu.content, moved);
      if (remaining) await bestEffort(send(roomId, "m.room.canonical_alias", remaining));
    }
    const oldRoom = await this.rooms.getRoom(roomId);
    if (oldRoom?.isPublic) {
      await this.rooms.setPublic(newRoomId, true);
      await this.rooms.setPublic(roomId, false);
    }

    if (raise) {
      if (ownLevel === undefined) delete users[sender];
      else users[sender] = ownLevel;
      await send(newRoomId, "m.room.power_levels", plContent);
    }

    // 5. The tombstone, then 6. the old room's power levels restricted.
    await send(roomId, "m.room.tombstone", {
      body: "This room has been replaced",
      replacement_room: newRoomId,
    });
    if (oldPowerLevels) {
      const restricted = restrictedPowerLevels(oldPowerLevels.pdu.content);
      if (restricted) await bestEffort(send(roomId, "m.room.power_levels", restricted));
    }
    return newRoomId;
  }

  /**
   * The old room's power levels, made valid for the new room: integer values (room version 10 refuses
   * strings), no creators in `users` when the new version gives them infinite power (MSC4289: the auth
   * rules refuse such an event), and — when leaving version 12 for an older one — the old creators at
   * 100, since they are not listed in `users` and would otherwise lose their power.
   */
  private powerLevelsForNewRoom(
    oldPowerLevels: StoredEvent | undefined,
    oldCreate: StoredEvent | undefined,
    oldVersion: RoomVersion,
    newVersion: RoomVersion,
    newCreators: Set<string>,
  ): JsonObject {
    const content = normalisedLevels(oldPowerLevels?.pdu.content ?? {});
    const users = content.users as JsonObject;
    if (
      oldVersion.authorization.creatorsHaveInfinitePower &&
      !newVersion.authorization.creatorsHaveInfinitePower
    ) {
      const oldLevels = powerLevelsFrom(oldPowerLevels?.pdu, oldCreate?.pdu, oldVersion.authorization);
      for (const creator of roomCreators(oldCreate?.pdu, oldVersion.authorization)) {
        if (!Number.isFinite(userLevel(oldLevels, creator)))
          users[creator] = Math.max(100, neededLevel(content));
      }
    }
    for (const creator of newCreators) delete users[creator];
    return content;
  }
}

const LEVEL_KEYS = ["users_default", "events_default", "state_default", "ban", "kick", "redact", "invite"];
const LEVEL_MAPS = ["users", "events", "notifications"];

/** A power levels content with every level an integer (stringy levels of older rooms parsed). */
function normalisedLevels(content: JsonObject): JsonObject {
  const out: JsonObject = { ...content };
  for (const key of LEVEL_KEYS) {
    if (key in content) {
      const level = parseLevel(content[key], false);
      if (level === undefined) delete out[key];
      else out[key] = level;
    }
  }
  for (const key of LEVEL_MAPS) {
    const map: JsonObject = {};
    const value = content[key];
    if (isJsonObject(value)) {
      for (const [name, raw] of Object.entries(value)) {
        const level = parseLevel(raw as JsonValue, false);
        if (level !== undefined) map[name] = level;
      }
    }
    if (key === "users" || isJsonObject(value)) out[key] = map;
  }
  return out;
}

/** The level needed to send every state event the upgrade copies (as Synapse: the highest of
 * `state_default`, `ban` and the per-event levels). */
function neededLevel(content: JsonObject): number {
  const events = isJsonObject(content.events) ? Object.values(content.events) : [];
  const numbers = [content.state_default ?? 50, content.ban ?? 50, ...events].filter(
    (v): v is number => typeof v === "number",
  );
  return Math.max(...numbers);
}

function restrictedPowerLevels(content: JsonObject): JsonObject | undefined {
  const out = normalisedLevels(content);
  const usersDefault = typeof out.users_default === "number" ? out.users_default : 0;
  const restricted = Math.max(50, usersDefault + 1);
  let changed = false;
  for (const key of RESTRICTED_KEYS) {
    const current = typeof out[key] === "number" ? (out[key] as number) : 0;
    if (current < restricted) {
      out[key] = restricted;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** The canonical alias content without the given aliases, or undefined when none were in it. */
function withoutAliases(content: JsonObject, aliases: Set<string>): JsonObject | undefined {
  const out: JsonObject = { ...content };
  let changed = false;
  if (typeof out.alias === "string" && aliases.has(out.alias)) {
    delete out.alias;
    changed = true;
  }
  if (Array.isArray(out.alt_aliases)) {
    const kept = out.alt_aliases.filter((a) => typeof a !== "string" || !aliases.has(a));
    if (kept.length !== out.alt_aliases.length) {
      out.alt_aliases = kept;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** Changes to the old room that its power levels may refuse; the upgrade stands without them. */
async function bestEffort(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof MatrixError) || error.status !== 403) throw error;
  }
}
