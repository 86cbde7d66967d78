/**
 * Fifty users send into one room at the same moment, over HTTP. Writes to a room are serialised by
 * the room lock, so afterwards: every event is stored once, prev_events/depth form a DAG that
 * converges on a single forward extremity, and every event passes the auth rules again when checked
 * against its own auth events loaded back from storage. Run on every store engine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/ports/store/rooms.js";
import { checkAuth } from "../../src/protocol/auth/check-auth.js";
import {
  authEventIds,
  createEventIdFromRoomId,
  prevEventIds,
  type RoomEvent,
  stateMapKey,
} from "../../src/protocol/pdu.js";
import { getRoomVersion } from "../../src/protocol/room-versions.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";
import { createPostgresDatabase } from "../support/store-engines.js";

const SENDERS = 50;
const MESSAGES_EACH = 3;
const enc = encodeURIComponent;

const engines: Array<{ name: string; database: () => Promise<string> }> = [
  { name: "sqlite", database: async () => "sqlite::memory:" },
];
const pgUrl = process.env.LATTICE_TEST_POSTGRES_URL;
if (pgUrl) engines.push({ name: "postgres", database: () => createPostgresDatabase(pgUrl) });

describe.each(engines)("$name: 50 concurrent senders in one room", ({ database }) => {
  let server: TestServer;
  let users: TestUser[];
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer(["--open-registration", "--no-rate-limits"], {
      database: await database(),
    });
    users = await Promise.all(Array.from({ length: SENDERS }, (_, i) => registerUser(server.http, `u${i}`)));
    const created = await server.http.post(
      "/_matrix/client/v3/createRoom",
      { preset: "public_chat" },
      users[0]?.accessToken,
    );
    roomId = created.body.room_id;
    // The joins race each other too.
    const joins = await Promise.all(
      users
        .slice(1)
        .map((u) => server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, u.accessToken)),
    );
    expect(joins.map((j) => j.status)).toEqual(joins.map(() => 200));
  });
  afterAll(() => server?.close());

  it("stores each event once, in a DAG with one forward extremity, each passing the auth rules", async () => {
    const sent = await Promise.all(
      users.map(async (u, i) => {
        const ids: string[] = [];
        for (let m = 0; m < MESSAGES_EACH; m++) {
          const res = await server.http.put(
            `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/c${m}`,
            { msgtype: "m.text", body: `u${i} m${m}` },
            u.accessToken,
          );
          expect(res.status).toBe(200);
          ids.push(res.body.event_id);
        }
        return ids;
      }),
    );
    const sentIds = sent.flat();
    expect(new Set(sentIds).size).toBe(SENDERS * MESSAGES_EACH);

    const rooms = server.services.store.rooms;
    const events = await rooms.timeline(roomId, { from: 0, direction: "f", limit: 100_000 });
    const byId = new Map<string, StoredEvent>();
    for (const e of events) {
      expect(byId.has(e.eventId)).toBe(false);
      byId.set(e.eventId, e);
    }
    // Every send stored, exactly once; stream orderings unique.
    for (const id of sentIds) expect(byId.has(id)).toBe(true);
    expect(events.filter((e) => e.pdu.type === "m.room.message")).toHaveLength(SENDERS * MESSAGES_EACH);
    expect(new Set(events.map((e) => e.streamOrdering)).size).toBe(events.length);

    // The DAG: prev_events exist, come earlier and have a smaller depth.
    const referenced = new Set<string>();
    for (const e of events) {
      const prevs = prevEventIds(e.pdu);
      if (e.pdu.type !== "m.room.create") expect(prevs.length).toBeGreaterThan(0);
      for (const p of prevs) {
        const prev = byId.get(p);
        expect(prev, `prev_event ${p} of ${e.eventId}`).toBeDefined();
        expect(prev?.pdu.depth).toBeLessThan(e.pdu.depth);
        expect(prev?.streamOrdering).toBeLessThan(e.streamOrdering);
        referenced.add(p);
      }
    }
    const tips = events.filter((e) => !referenced.has(e.eventId));
    expect(tips.map((e) => e.eventId)).toEqual([events.at(-1)?.eventId]);
    const extremities = await rooms.forwardExtremities(roomId);
    expect(extremities.map((x) => x.eventId)).toEqual([events.at(-1)?.eventId]);

    // The auth rules, re-checked from storage against each event's own auth events.
    const room = await rooms.getRoom(roomId);
    const version = getRoomVersion(room?.version ?? "");
    if (!version) throw new Error(`unknown room version ${room?.version}`);
    for (const e of events) {
      const authIds = [...authEventIds(e.pdu)];
      if (version.authorization.roomIdFromCreateEvent && e.pdu.type !== "m.room.create") {
        authIds.push(createEventIdFromRoomId(roomId));
      }
      const authEvents = await rooms.getEvents(authIds);
      expect(authEvents).toHaveLength(new Set(authIds).size);
      const state = new Map<string, RoomEvent>();
      for (const a of authEvents) state.set(stateMapKey(a.pdu.type, a.pdu.state_key ?? ""), a);
      const verdict = checkAuth({ eventId: e.eventId, pdu: e.pdu }, state, version);
      expect(verdict, `${e.eventId} (${e.pdu.type})`).toMatchObject({ allowed: true });
    }
  });
});
