import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
});
afterAll(() => server.close());

const filters = (userId: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`;

/** The example of filter.yaml, plus every other field the schema defines. */
const fullFilter = {
  room: {
    state: { types: ["m.room.*"], not_rooms: ["!726s6s6q:example.com"], lazy_load_members: true },
    timeline: {
      limit: 10,
      types: ["m.room.message"],
      not_rooms: ["!726s6s6q:example.com"],
      not_senders: ["@spam:example.com"],
      contains_url: false,
      unread_thread_notifications: true,
    },
    ephemeral: { types: ["m.receipt", "m.typing"], senders: ["@a:example.com"] },
    account_data: { not_types: ["m.tag"], rooms: ["!r:example.com"] },
    rooms: ["!r:example.com"],
    not_rooms: ["!s:example.com"],
    include_leave: true,
  },
  presence: { types: ["m.presence"], not_senders: ["@alice:example.com"], limit: 5 },
  account_data: { types: ["m.direct"] },
  event_format: "client",
  event_fields: ["type", "content", "sender"],
};

describe("POST /user/{userId}/filter and GET /user/{userId}/filter/{filterId}", () => {
  it("stores a filter and gives it back unchanged", async () => {
    const created = await server.http.post(filters(alice.userId), fullFilter, alice.accessToken);
    expect(created.status).toBe(200);
    expect(typeof created.body.filter_id).toBe("string");
    expect(created.body.filter_id.startsWith("{")).toBe(false);
    const got = await server.http.get(
      `${filters(alice.userId)}/${created.body.filter_id}`,
      alice.accessToken,
    );
    expect(got.status).toBe(200);
    expect(got.body).toEqual(fullFilter);
  });

  it("gives each filter its own ID, accepts the empty filter, and serves r0", async () => {
    const a = await server.http.post(`/_matrix/client/r0/user/${bob.userId}/filter`, {}, bob.accessToken);
    const b = await server.http.post(filters(bob.userId), { event_format: "federation" }, bob.accessToken);
    expect(a.body.filter_id).not.toBe(b.body.filter_id);
    expect(
      (await server.http.get(`${filters(bob.userId)}/${a.body.filter_id}`, bob.accessToken)).body,
    ).toEqual({});
    expect(
      (
        await server.http.get(
          `/_matrix/client/r0/user/${bob.userId}/filter/${b.body.filter_id}`,
          bob.accessToken,
        )
      ).body,
    ).toEqual({ event_format: "federation" });
  });

  it("keeps fields the spec does not define (unstable MSC fields)", async () => {
    const filter = { room: { timeline: { "org.matrix.msc3874.not_rel_types": ["m.thread"], limit: 3 } } };
    const created = await server.http.post(filters(alice.userId), filter, alice.accessToken);
    const got = await server.http.get(
      `${filters(alice.userId)}/${created.body.filter_id}`,
      alice.accessToken,
    );
    expect(got.body).toEqual(filter);
  });

  it.each([
    ["limit 0", { room: { timeline: { limit: 0 } } }, "room.timeline.limit"],
    ["negative limit", { presence: { limit: -1 } }, "presence.limit"],
    ["fractional limit", { room: { state: { limit: 1.5 } } }, "room.state.limit"],
    ["string limit", { account_data: { limit: "10" } }, "account_data.limit"],
    ["unknown event_format", { event_format: "xml" }, "event_format"],
    ["event_fields not strings", { event_fields: [1] }, "event_fields.0"],
    ["types not an array", { room: { timeline: { types: "m.room.message" } } }, "room.timeline.types"],
    [
      "sender that is not a user ID",
      { room: { ephemeral: { senders: ["alice"] } } },
      "room.ephemeral.senders.0",
    ],
    ["room that is not a room ID", { room: { rooms: ["#alias:example.com"] } }, "room.rooms.0"],
    [
      "not_rooms inside a RoomEventFilter",
      { room: { timeline: { not_rooms: ["x"] } } },
      "room.timeline.not_rooms.0",
    ],
    ["include_leave not boolean", { room: { include_leave: "yes" } }, "room.include_leave"],
    [
      "lazy_load_members not boolean",
      { room: { state: { lazy_load_members: 1 } } },
      "room.state.lazy_load_members",
    ],
    [
      "contains_url not boolean",
      { room: { timeline: { contains_url: "true" } } },
      "room.timeline.contains_url",
    ],
    ["room not an object", { room: [] }, "room"],
    ["presence not an object", { presence: "none" }, "presence"],
  ])("refuses %s with 400 M_BAD_JSON naming the field", async (_name, filter, field) => {
    const res = await server.http.post(filters(alice.userId), filter, alice.accessToken);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_BAD_JSON");
    expect(res.body.error).toContain(field);
  });

  it("refuses a body that is not a JSON object (M_NOT_JSON)", async () => {
    for (const rawBody of ["{", "[]"]) {
      const res = await server.http.request("POST", filters(alice.userId), {
        token: alice.accessToken,
        rawBody,
      });
      expect(res.status).toBe(400);
      expect(res.body.errcode).toBe("M_NOT_JSON");
    }
  });

  it("answers 404 M_NOT_FOUND for unknown filter IDs", async () => {
    for (const id of ["999999", "abc", "{}", "-1"]) {
      const res = await server.http.get(
        `${filters(alice.userId)}/${encodeURIComponent(id)}`,
        alice.accessToken,
      );
      expect(res.status, id).toBe(404);
      expect(res.body.errcode, id).toBe("M_NOT_FOUND");
    }
  });

  it("keeps users apart: 403 M_FORBIDDEN for another user's filters", async () => {
    const created = await server.http.post(
      filters(alice.userId),
      { event_fields: ["type"] },
      alice.accessToken,
    );
    const read = await server.http.get(`${filters(alice.userId)}/${created.body.filter_id}`, bob.accessToken);
    expect(read.status).toBe(403);
    expect(read.body.errcode).toBe("M_FORBIDDEN");
    const write = await server.http.post(filters(alice.userId), {}, bob.accessToken);
    expect(write.status).toBe(403);
    expect(write.body.errcode).toBe("M_FORBIDDEN");
    // Bob's own filter with the same ID (if any) is a different filter.
    const own = await server.http.get(`${filters(bob.userId)}/${created.body.filter_id}`, bob.accessToken);
    expect(own.body).not.toEqual({ event_fields: ["type"] });
  });
});

describe("resolving the filter parameter (for /sync)", () => {
  it("parses inline filters and looks up stored ones", async () => {
    const { filters: service } = server.services;
    expect(await service.resolve(alice.userId, '{"room":{"timeline":{"limit":2}}}')).toEqual({
      room: { timeline: { limit: 2 } },
    });
    const created = await server.http.post(
      filters(alice.userId),
      { presence: { types: [] } },
      alice.accessToken,
    );
    expect(await service.resolve(alice.userId, created.body.filter_id)).toEqual({ presence: { types: [] } });
    await expect(service.resolve(alice.userId, "{bad")).rejects.toMatchObject({ errcode: "M_NOT_JSON" });
    await expect(service.resolve(alice.userId, '{"event_format":"xml"}')).rejects.toMatchObject({
      errcode: "M_BAD_JSON",
    });
    await expect(service.resolve(alice.userId, "424242")).rejects.toMatchObject({
      errcode: "M_INVALID_PARAM",
    });
  });
});
