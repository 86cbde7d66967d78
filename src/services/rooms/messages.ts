/**
 * Sending messages and state, and redacting (spec: client-server-api "Sending events to a room",
 * "Redactions").
 */
import type { RoomRepository } from "../../ports/store/rooms.js";
import type { JsonObject } from "../../protocol/json.js";
import { POWER_LEVELS_KEY, stateMapKey } from "../../protocol/pdu.js";
import { powerLevelsFrom, userLevel } from "../../protocol/power-levels.js";
import type { Requester } from "../accounts/authenticate.js";
import { forbidden, notFound } from "../errors.js";
import type { CreatedEvent, EventCreator } from "./event-creator.js";
import type { RoomVersionCache } from "./room-version-cache.js";

/** A check of client-sent state content beyond the auth rules, e.g. that `m.room.canonical_alias`
 * names aliases pointing to the room (services/directory/canonical-alias-check.ts); throws a
 * MatrixError to refuse the event. */
export type StateContentCheck = (
  roomId: string,
  type: string,
  stateKey: string,
  content: JsonObject,
) => Promise<void>;

export class Messages {
  constructor(
    private readonly events: EventCreator,
    private readonly rooms: RoomRepository,
    private readonly versions: RoomVersionCache,
    private readonly stateChecks: StateContentCheck[] = [],
  ) {}

  send(
    requester: Requester,
    roomId: string,
    type: string,
    content: JsonObject,
    txnId: string,
  ): Promise<CreatedEvent> {
    return this.events.create({
      roomId,
      sender: requester.userId,
      type,
      content,
      txn: { userId: requester.userId, deviceId: requester.deviceId, txnId },
    });
  }

  async sendState(requester: Requester, roomId: string, type: string, stateKey: string, content: JsonObject) {
    if (type === "m.room.create") throw forbidden("m.room.create cannot be changed");
    for (const check of this.stateChecks) await check(roomId, type, stateKey, content);
    return this.events.create({ roomId, sender: requester.userId, type, stateKey, content });
  }

  /**
   * Redacts an event. From room version 3 the auth rules let any member send a redaction, and it
   * only takes effect if the sender may redact that event (content/rooms/v3.md "Handling redactions"):
   * this server refuses such a redaction up front, as Synapse does, rather than storing a no-op.
   */
  async redact(requester: Requester, roomId: string, eventId: string, txnId: string, reason?: string) {
    const target = await this.rooms.getEvent(eventId);
    if (!target || target.roomId !== roomId) throw notFound("Event not found");
    if (target.pdu.sender !== requester.userId) {
      const version = await this.versions.get(roomId);
      const state = await this.rooms.currentState(roomId, [
        ["m.room.power_levels", ""],
        ["m.room.create", ""],
      ]);
      const byKey = new Map(state.map((e) => [stateMapKey(e.pdu.type, e.pdu.state_key ?? ""), e.pdu]));
      const levels = powerLevelsFrom(
        byKey.get(POWER_LEVELS_KEY),
        byKey.get(stateMapKey("m.room.create", "")),
        version.authorization,
      );
      if (userLevel(levels, requester.userId) < levels.levels.redact) {
        throw forbidden("You are not allowed to redact other users' events");
      }
    }
    const content: JsonObject = { redacts: eventId };
    if (reason) content.reason = reason;
    return this.send(requester, roomId, "m.room.redaction", content, txnId);
  }
}
