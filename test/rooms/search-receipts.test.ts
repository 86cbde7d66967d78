/** Server side search, read markers and receipts, and timestamp_to_event, on every store engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";
import { createPostgresDatabase } from "../support/store-engines.js";

const enc = encodeURIComponent;
const engines: Array<{ name: string; database: () => Promise<string> }> = [
  { name: "sqlite", database: async () => "sqlite::memory:" },
];
const pgUrl = process.env.LATTICE_TEST_POSTGRES_URL;
if (pgUrl) engines.push({ name: "postgres", database: () => createPostgresDatabase(pgUrl) });

describe.each(engines)("rooms extras on $name", ({ database }) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    server = await startTestServer(["--open-registration", "--no-rate-limits"], {
      database: await database(),
    });
    alice = await registerUser(server.http, "alice");
    bob = await registerUser(server.http, "bob");
    carol = await registerUser(server.http, "carol");
  });
  afterAll(() => server?.close());

  const createRoom = async (body: Record<string, unknown>, token = alice.accessToken) => {
    const res = await server.http.post("/_matrix/client/v3/createRoom", body, token);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  };
  const send = async (roomId: string, body: string, token = alice.accessToken) => {
    const res = await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${Math.random()}`,
      { msgtype: "m.text", body },
      token,
    );
    expect(res.status).toBe(200);
    return res.body.event_id as string;
  };
  const join = async (roomId: string, token: string) => {
    const res = await server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, token);
    expect(res.status).toBe(200);
  };
  const search = (token: string, roomEvents: Record<string, unknown>, nextBatch?: string) =>
    server.http.post(
      `/_matrix/client/v3/search${nextBatch ? `?next_batch=${enc(nextBatch)}` : ""}`,
      { search_categories: { room_events: roomEvents } },
      token,
    );

  describe("search", () => {
    let roomId: string;
    let other: string;
    beforeAll(async () => {
      roomId = await createRoom({
        preset: "public_chat",
        name: "Martian council",
        topic: "Red planet affairs",
      });
      other = await createRoom({ preset: "public_chat" }, bob.accessToken);
      await join(roomId, bob.accessToken);
      await send(roomId, "The martians are coming");
      await send(roomId, "Men and martians, unite", bob.accessToken);
      await send(roomId, "nothing to see here");
      await send(other, "martians in bob's room", bob.accessToken);
    });

    it("finds messages, names and topics in rooms the user is in, with count and highlights", async () => {
      const res = await search(alice.accessToken, { search_term: "martians" });
      expect(res.status).toBe(200);
      const found = res.body.search_categories.room_events;
      const bodies = found.results.map((r: any) => r.result.content.body ?? r.result.content.name);
      expect(bodies.sort()).toEqual([
        "Martian council",
        "Men and martians, unite",
        "The martians are coming",
      ]);
      expect(found.count).toBe(3);
      expect(found.highlights).toEqual(["martians"]);
      for (const r of found.results) expect(typeof r.rank).toBe("number");
      expect(found.next_batch).toBeUndefined();

      const topic = await search(alice.accessToken, { search_term: "planet", keys: ["content.topic"] });
      expect(topic.body.search_categories.room_events.results.map((r: any) => r.result.type)).toEqual([
        "m.room.topic",
      ]);
      const bodyOnly = await search(alice.accessToken, { search_term: "martian", keys: ["content.body"] });
      expect(bodyOnly.body.search_categories.room_events.count).toBe(2);
      // All words must match, each also as a prefix.
      const both = await search(alice.accessToken, { search_term: "men mart" });
      expect(both.body.search_categories.room_events.results.map((r: any) => r.result.content.body)).toEqual([
        "Men and martians, unite",
      ]);
    });

    it("orders by recent, filters rooms and senders, and pages with next_batch", async () => {
      const recent = await search(bob.accessToken, { search_term: "martians", order_by: "recent" });
      const ids = recent.body.search_categories.room_events.results.map((r: any) => r.result.content.body);
      expect(ids.slice(0, 3)).toEqual([
        "martians in bob's room",
        "Men and martians, unite",
        "The martians are coming",
      ]);
      const onlyRoom = await search(bob.accessToken, {
        search_term: "martians",
        keys: ["content.body"],
        filter: { rooms: [other] },
      });
      expect(onlyRoom.body.search_categories.room_events.results).toHaveLength(1);
      const bySender = await search(bob.accessToken, {
        search_term: "martians",
        keys: ["content.body"],
        filter: { senders: [alice.userId] },
      });
      expect(bySender.body.search_categories.room_events.results.map((r: any) => r.result.sender)).toEqual([
        alice.userId,
      ]);

      for (const order_by of ["recent", "rank"]) {
        const seen: string[] = [];
        let token: string | undefined;
        for (let page = 0; page < 10; page++) {
          const res = await search(
            bob.accessToken,
            { search_term: "martians", order_by, filter: { limit: 1 } },
            token,
          );
          expect(res.status).toBe(200);
          const r = res.body.search_categories.room_events;
          seen.push(...r.results.map((x: any) => x.result.event_id));
          token = r.next_batch;
          if (!token) break;
        }
        expect(new Set(seen).size).toBe(4);
        expect(seen).toHaveLength(4);
      }
      const bad = await search(bob.accessToken, { search_term: "x", order_by: "rank" }, "recent:5");
      expect(bad.status).toBe(400);
    });

    it("returns context, profiles, state and groups on request", async () => {
      const res = await search(alice.accessToken, {
        search_term: "unite",
        event_context: { before_limit: 1, after_limit: 1, include_profile: true },
        include_state: true,
        groupings: { group_by: [{ key: "room_id" }, { key: "sender" }] },
      });
      const r = res.body.search_categories.room_events;
      expect(r.results).toHaveLength(1);
      const ctx = r.results[0].context;
      expect(ctx.events_before.map((e: any) => e.content.body)).toEqual(["The martians are coming"]);
      expect(ctx.events_after.map((e: any) => e.content.body)).toEqual(["nothing to see here"]);
      expect(ctx.profile_info[bob.userId]).toEqual({ displayname: "bob" });
      expect(ctx.start).toMatch(/^s\d+$/);
      expect(r.state[roomId].some((e: any) => e.type === "m.room.create")).toBe(true);
      const eventId = r.results[0].result.event_id;
      expect(r.groups.room_id[roomId].results).toEqual([eventId]);
      expect(r.groups.sender[bob.userId].results).toEqual([eventId]);
      const none = await search(alice.accessToken, {
        search_term: "zebra",
        groupings: { group_by: [{ key: "room_id" }] },
      });
      expect(none.body.search_categories.room_events).toMatchObject({
        results: [],
        count: 0,
        groups: { room_id: {} },
      });
    });

    it("never shows events the user may not see, nor redacted ones", async () => {
      const secret = await createRoom({ preset: "private_chat", initial_state: [] });
      const hidden = await server.http.put(
        `/_matrix/client/v3/rooms/${enc(secret)}/state/m.room.history_visibility`,
        { history_visibility: "joined" },
        alice.accessToken,
      );
      expect(hidden.status).toBe(200);
      await send(secret, "classified saucer plans");
      // Carol is not in the room at all.
      const outsider = await search(carol.accessToken, { search_term: "saucer" });
      expect(outsider.body.search_categories.room_events.results).toEqual([]);
      // Carol joins after the message: joined visibility hides what came before.
      await server.http.post(
        `/_matrix/client/v3/rooms/${enc(secret)}/invite`,
        { user_id: carol.userId },
        alice.accessToken,
      );
      await join(secret, carol.accessToken);
      await send(secret, "new saucer sighting");
      const joined = await search(carol.accessToken, { search_term: "saucer" });
      expect(
        joined.body.search_categories.room_events.results.map((r: any) => r.result.content.body),
      ).toEqual(["new saucer sighting"]);
      // Redacted: gone from the results.
      const redactMe = await send(secret, "saucer typo");
      const redact = await server.http.put(
        `/_matrix/client/v3/rooms/${enc(secret)}/redact/${enc(redactMe)}/r1`,
        {},
        alice.accessToken,
      );
      expect(redact.status).toBe(200);
      const after = await search(alice.accessToken, { search_term: "saucer" });
      expect(
        after.body.search_categories.room_events.results.map((r: any) => r.result.content.body).sort(),
      ).toEqual(["classified saucer plans", "new saucer sighting"]);
    });

    it("rejects a request without a search term", async () => {
      const res = await server.http.post(
        "/_matrix/client/v3/search",
        { search_categories: { room_events: {} } },
        alice.accessToken,
      );
      expect(res.status).toBe(400);
      expect(res.body.errcode).toBe("M_BAD_JSON");
      const empty = await server.http.post(
        "/_matrix/client/v3/search",
        { search_categories: {} },
        alice.accessToken,
      );
      expect(empty.body).toEqual({ search_categories: {} });
    });
  });

  describe("read markers and receipts", () => {
    it("stores m.fully_read as room account data and receipts on the receipts stream", async () => {
      const roomId = await createRoom({ preset: "public_chat" });
      await join(roomId, bob.accessToken);
      const first = await send(roomId, "one");
      const second = await send(roomId, "two");
      const before = await server.services.store.receipts.currentPosition();
      const res = await server.http.post(
        `/_matrix/client/v3/rooms/${enc(roomId)}/read_markers`,
        { "m.fully_read": second, "m.read": second, "m.read.private": first },
        bob.accessToken,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      const marker = await server.http.get(
        `/_matrix/client/v3/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`,
        bob.accessToken,
      );
      expect(marker.body).toEqual({ event_id: second });
      const receipts = await server.services.store.receipts.changedSince([roomId], before);
      expect(receipts.map((r) => [r.receiptType, r.eventId, r.userId])).toEqual([
        ["m.read", second, bob.userId],
        ["m.read.private", first, bob.userId],
      ]);
      expect(receipts[1]?.streamId).toBeGreaterThan(before);

      // Markers only move forwards.
      await server.http.post(
        `/_matrix/client/v3/rooms/${enc(roomId)}/read_markers`,
        { "m.fully_read": first, "m.read": first },
        bob.accessToken,
      );
      expect((await server.services.store.receipts.get(roomId, bob.userId, "m.read"))?.eventId).toBe(second);
      expect(
        (await server.services.store.accountData.get(bob.userId, roomId, "m.fully_read"))?.event_id,
      ).toBe(second);

      // Clients cannot set m.fully_read directly.
      const direct = await server.http.put(
        `/_matrix/client/v3/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`,
        { event_id: first },
        bob.accessToken,
      );
      expect(direct.status).toBe(405);
    });

    it("sends threaded receipts, m.fully_read through /receipt, and refuses bad input", async () => {
      const roomId = await createRoom({ preset: "public_chat" });
      await join(roomId, bob.accessToken);
      const root = await send(roomId, "thread root");
      const url = (type: string, eventId: string) =>
        `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/${type}/${enc(eventId)}`;
      expect((await server.http.post(url("m.read", root), { thread_id: root }, bob.accessToken)).status).toBe(
        200,
      );
      expect(
        (await server.http.post(url("m.read", root), { thread_id: "main" }, bob.accessToken)).status,
      ).toBe(200);
      expect((await server.http.post(url("m.read", root), {}, bob.accessToken)).status).toBe(200);
      expect((await server.services.store.receipts.get(roomId, bob.userId, "m.read", root))?.eventId).toBe(
        root,
      );
      expect((await server.services.store.receipts.get(roomId, bob.userId, "m.read", "main"))?.eventId).toBe(
        root,
      );
      expect(
        (await server.services.store.receipts.get(roomId, bob.userId, "m.read"))?.threadId,
      ).toBeUndefined();

      expect((await server.http.post(url("m.fully_read", root), {}, bob.accessToken)).status).toBe(200);
      expect(
        (await server.services.store.accountData.get(bob.userId, roomId, "m.fully_read"))?.event_id,
      ).toBe(root);

      const empty = await server.http.post(url("m.read", root), { thread_id: "" }, bob.accessToken);
      expect([empty.status, empty.body.errcode]).toEqual([400, "M_INVALID_PARAM"]);
      const threadedMarker = await server.http.post(
        url("m.fully_read", root),
        { thread_id: root },
        bob.accessToken,
      );
      expect(threadedMarker.status).toBe(400);
      const badType = await server.http.post(url("m.unknown", root), {}, bob.accessToken);
      expect(badType.status).toBe(400);
      const unknownEvent = await server.http.post(url("m.read", "$nope"), {}, bob.accessToken);
      expect([unknownEvent.status, unknownEvent.body.errcode]).toEqual([404, "M_NOT_FOUND"]);
      // Carol is not in the room and cannot see its events.
      const outsider = await server.http.post(url("m.read", root), {}, carol.accessToken);
      expect(outsider.status).toBe(404);
      const markerOutsider = await server.http.post(
        `/_matrix/client/v3/rooms/${enc(roomId)}/read_markers`,
        { "m.fully_read": root },
        carol.accessToken,
      );
      expect(markerOutsider.status).toBe(404);
    });
  });

  describe("timestamp_to_event", () => {
    it("finds the closest visible event in either direction, 404 when there is none", async () => {
      const roomId = await createRoom({ preset: "public_chat" });
      const e1 = await send(roomId, "first");
      await new Promise((r) => setTimeout(r, 5));
      const e2 = await send(roomId, "second");
      const ts = async (eventId: string) =>
        (
          await server.http.get(
            `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`,
            alice.accessToken,
          )
        ).body.origin_server_ts as number;
      const t1 = await ts(e1);
      const t2 = await ts(e2);
      const at = (t: number, dir: string, token = alice.accessToken) =>
        server.http.get(
          `/_matrix/client/v1/rooms/${enc(roomId)}/timestamp_to_event?ts=${t}&dir=${dir}`,
          token,
        );
      expect((await at(t1 + 1, "f")).body).toEqual({ event_id: e2, origin_server_ts: t2 });
      expect((await at(t2 - 1, "b")).body).toEqual({ event_id: e1, origin_server_ts: t1 });
      expect((await at(t2, "b")).body.event_id).toBe(e2);
      const none = await at(t2 + 60_000, "f");
      expect([none.status, none.body.errcode]).toEqual([404, "M_NOT_FOUND"]);
      const early = await at(0, "b");
      expect(early.status).toBe(404);
      const first = await at(0, "f");
      expect(first.body.event_id).toMatch(/^\$/);
      const bad = await at(t1, "x");
      expect(bad.status).toBe(400);
      const outsider = await at(t1, "f", carol.accessToken);
      expect(outsider.status).toBe(403);
    });
  });
});
