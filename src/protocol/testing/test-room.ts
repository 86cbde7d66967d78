/**
 * Test support: build rooms event by event with hand-chosen event IDs, so auth rule tables and state
 * resolution DAGs read like the spec's examples. Hashes and signatures are placeholders — the auth
 * rules and state resolution never look at them.
 */

import type { AuthState, SignatureVerdicts } from "../auth/auth-state.js";
import { checkAuth } from "../auth/check-auth.js";
import type { AuthResult } from "../auth/result.js";
import { selectAuthEvents } from "../auth/select-auth-events.js";
import type { JsonObject } from "../json.js";
import { type Pdu, type RoomEvent, stateMapKeyOf } from "../pdu.js";
import { getRoomVersion, type RoomVersion } from "../room-versions.js";

export interface EventSpec {
  type: string;
  sender: string;
  state_key?: string;
  content?: JsonObject;
  /** Defaults to the room's latest event. */
  prev?: string[];
  /** Defaults to the auth events selection over the room's current state. */
  auth?: string[];
  /** Defaults to a counter, so events sort in creation order. */
  ts?: number;
  depth?: number;
  redacts?: string;
  /** Overrides the room ID (or, with null, leaves it out). */
  roomId?: string | null;
  /** Overrides the generated event ID. */
  id?: string;
  rejected?: boolean;
}

export function version(id: string): RoomVersion {
  const v = getRoomVersion(id);
  if (!v) throw new Error(`unknown room version ${id}`);
  return v;
}

export function serverOf(userId: string): string {
  return userId.slice(userId.indexOf(":") + 1);
}

/** Verdicts that accept every signature, for rooms whose events were all verified on receipt. */
export const ALL_SIGNATURES_VALID: SignatureVerdicts = {
  isSignedByServer: () => true,
  thirdPartyInviteSignatureValid: () => true,
};

export interface RoomSnapshot {
  readonly state: ReadonlyMap<string, RoomEvent>;
  readonly latest: readonly string[];
}

export class TestRoom {
  readonly version: RoomVersion;
  readonly roomId: string;
  readonly events = new Map<string, RoomEvent>();
  /** The current state: state map key → event. */
  readonly state = new Map<string, RoomEvent>();
  readonly create: RoomEvent;
  private latest: string[] = [];
  private counter = 0;
  private readonly idPrefix: string;

  constructor(
    versionId: string,
    creator = "@alice:a.example",
    createContent: JsonObject = {},
    idPrefix = "",
  ) {
    this.version = version(versionId);
    this.idPrefix = idPrefix;
    const rules = this.version.authorization;
    const content: JsonObject = { room_version: versionId, ...createContent };
    if (rules.creatorInContent && !("creator" in createContent)) content.creator = creator;
    const createId = this.nextId(creator, "create");
    this.roomId = rules.roomIdFromCreateEvent ? `!${createId.slice(1)}` : `!room:${serverOf(creator)}`;
    this.create = this.build({
      type: "m.room.create",
      sender: creator,
      state_key: "",
      content,
      prev: [],
      auth: [],
      id: createId,
      roomId: rules.roomIdFromCreateEvent ? null : this.roomId,
    });
    this.add(this.create);
  }

  private nextId(sender: string, hint?: string): string {
    this.counter++;
    const local = `${this.idPrefix}${hint ?? "e"}${this.counter}`;
    return this.version.eventIdFormat === "v1" ? `$${local}:${serverOf(sender)}` : `$${local}`;
  }

  /** An event as it would be sent into the current state (not added). */
  build(spec: EventSpec): RoomEvent {
    const id = spec.id ?? this.nextId(spec.sender);
    const pdu: Pdu = {
      type: spec.type,
      sender: spec.sender,
      content: spec.content ?? {},
      prev_events: spec.prev ?? this.latest,
      auth_events: [],
      depth: spec.depth ?? this.counter,
      origin_server_ts: spec.ts ?? 1_000 + this.counter,
      hashes: { sha256: "placeholder" },
      signatures: {},
    };
    if (spec.roomId !== null) pdu.room_id = spec.roomId ?? this.roomId;
    if (spec.state_key !== undefined) pdu.state_key = spec.state_key;
    if (spec.redacts !== undefined) {
      if (this.version.authorization.redactsInContent)
        pdu.content = { ...pdu.content, redacts: spec.redacts };
      else pdu.redacts = spec.redacts;
    }
    if (this.version.eventIdFormat === "v1") pdu.event_id = id;
    pdu.auth_events = spec.auth ?? selectAuthEvents(pdu, this.state, this.version.authorization);
    return spec.rejected ? { eventId: id, pdu, rejected: true } : { eventId: id, pdu };
  }

  /** Adds an event to the DAG and, if it is a state event, to the current state, without checks. */
  add(event: RoomEvent): RoomEvent {
    this.events.set(event.eventId, event);
    this.latest = [event.eventId];
    const key = stateMapKeyOf(event.pdu);
    if (key !== undefined && !event.rejected) this.state.set(key, event);
    return event;
  }

  check(
    spec: EventSpec,
    verdicts: SignatureVerdicts = ALL_SIGNATURES_VALID,
    state: AuthState = this.state,
  ): AuthResult {
    return checkAuth(this.build(spec), state, this.version, verdicts);
  }

  /** Builds, checks against the current state and adds; throws when the rules refuse it. */
  send(spec: EventSpec, verdicts: SignatureVerdicts = ALL_SIGNATURES_VALID): RoomEvent {
    const event = this.build(spec);
    const result = checkAuth(event, this.state, this.version, verdicts);
    if (!result.allowed) throw new Error(`${spec.type} by ${spec.sender} refused: ${result.reason}`);
    return this.add(event);
  }

  /** The current state and latest events, to come back to and fork from. */
  snapshot(): RoomSnapshot {
    return { state: new Map(this.state), latest: [...this.latest] };
  }

  restore(snapshot: RoomSnapshot): void {
    this.resetState(snapshot.state);
    this.latest = [...snapshot.latest];
  }

  /** Sets the latest event, to fork the DAG from an earlier point. */
  setLatest(ids: string[]): void {
    this.latest = ids;
  }

  /** Replaces the current state (to fork from an earlier state). */
  resetState(state: ReadonlyMap<string, RoomEvent>): void {
    this.state.clear();
    for (const [key, event] of state) this.state.set(key, event);
  }

  stateIds(): Map<string, string> {
    return new Map([...this.state].map(([key, event]) => [key, event.eventId]));
  }

  getEvent = (id: string): RoomEvent | undefined => this.events.get(id);
}
