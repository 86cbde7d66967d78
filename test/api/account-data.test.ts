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

const global = (userId: string, type: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/account_data/${encodeURIComponent(type)}`;
const perRoom = (userId: string, roomId: string, type: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`;

describe("global account data", () => {
  it("stores content and returns it; a second PUT replaces it", async () => {
    const path = global(alice.userId, "org.example.config");
    expect(
      (await server.http.put(path, { theme: "dark", nested: { a: [1, 2] } }, alice.accessToken)).body,
    ).toEqual({});
    expect((await server.http.get(path, alice.accessToken)).body).toEqual({
      theme: "dark",
      nested: { a: [1, 2] },
    });
    await server.http.put(path, { theme: "light" }, alice.accessToken);
    expect((await server.http.get(path, alice.accessToken)).body).toEqual({ theme: "light" });
    // On the r0 path, with an unencoded user ID.
    const r0 = await server.http.get(
      `/_matrix/client/r0/user/${alice.userId}/account_data/org.example.config`,
      alice.accessToken,
    );
    expect(r0.body).toEqual({ theme: "light" });
  });

  it("moves the account data stream", async () => {
    const before = await server.services.store.accountData.changedSince(alice.userId, 0);
    await server.http.put(
      global(alice.userId, "m.direct"),
      { "@bob:localhost": ["!r:localhost"] },
      alice.accessToken,
    );
    const after = await server.services.store.accountData.changedSince(alice.userId, 0);
    const direct = after.find((e) => e.type === "m.direct");
    expect(direct?.content).toEqual({ "@bob:localhost": ["!r:localhost"] });
    expect(direct?.streamId).toBeGreaterThan(Math.max(0, ...before.map((e) => e.streamId)));
  });

  it("answers 404 M_NOT_FOUND for a type never set", async () => {
    const res = await server.http.get(global(alice.userId, "org.example.never"), alice.accessToken);
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe("M_NOT_FOUND");
  });

  it("refuses another user's account data, reading and writing (403 M_FORBIDDEN)", async () => {
    const read = await server.http.get(global(alice.userId, "org.example.config"), bob.accessToken);
    expect(read.status).toBe(403);
    expect(read.body.errcode).toBe("M_FORBIDDEN");
    const write = await server.http.put(
      global(alice.userId, "org.example.config"),
      { x: 1 },
      bob.accessToken,
    );
    expect(write.status).toBe(403);
    expect(
      (await server.http.get(global(alice.userId, "org.example.config"), alice.accessToken)).body,
    ).toEqual({
      theme: "light",
    });
  });

  it("refuses server-managed types with 405 M_BAD_JSON", async () => {
    for (const type of ["m.fully_read", "m.push_rules"]) {
      const res = await server.http.put(global(alice.userId, type), { event_id: "$x" }, alice.accessToken);
      expect(res.status, type).toBe(405);
      expect(res.body.errcode, type).toBe("M_BAD_JSON");
    }
  });

  it("wants a JSON object as body (M_NOT_JSON)", async () => {
    for (const rawBody of ["not json", "[1,2]", '"text"', "3", "null"]) {
      const res = await server.http.request("PUT", global(alice.userId, "org.example.raw"), {
        token: alice.accessToken,
        rawBody,
      });
      expect(res.status, rawBody).toBe(400);
      expect(res.body.errcode, rawBody).toBe("M_NOT_JSON");
    }
  });

  it("needs an access token", async () => {
    expect((await server.http.get(global(alice.userId, "org.example.config"))).status).toBe(401);
  });
});

describe("room account data", () => {
  const room = "!abcdef:localhost";

  it("is kept apart from global account data and from other rooms", async () => {
    const path = perRoom(alice.userId, room, "m.tag");
    expect(
      (await server.http.put(path, { tags: { "m.favourite": { order: 0.5 } } }, alice.accessToken)).status,
    ).toBe(200);
    expect((await server.http.get(path, alice.accessToken)).body).toEqual({
      tags: { "m.favourite": { order: 0.5 } },
    });
    expect((await server.http.get(global(alice.userId, "m.tag"), alice.accessToken)).status).toBe(404);
    const otherRoom = await server.http.get(
      perRoom(alice.userId, "!other:localhost", "m.tag"),
      alice.accessToken,
    );
    expect(otherRoom.status).toBe(404);
    expect(otherRoom.body.errcode).toBe("M_NOT_FOUND");
  });

  it("accepts version 12 room IDs, which have no server name", async () => {
    const v12 = `!${"A".repeat(42)}g`;
    const path = perRoom(alice.userId, v12, "org.example.x");
    expect((await server.http.put(path, { v: 12 }, alice.accessToken)).status).toBe(200);
    expect((await server.http.get(path, alice.accessToken)).body).toEqual({ v: 12 });
  });

  it("validates the room ID (400 M_INVALID_PARAM)", async () => {
    for (const roomId of ["@notaroomid:localhost", "abc:localhost", "!nocolon", "#alias:localhost"]) {
      const get = await server.http.get(perRoom(alice.userId, roomId, "m.tag"), alice.accessToken);
      expect(get.status, roomId).toBe(400);
      expect(get.body.errcode, roomId).toBe("M_INVALID_PARAM");
      const put = await server.http.put(
        perRoom(alice.userId, roomId, "m.tag"),
        { tags: {} },
        alice.accessToken,
      );
      expect(put.body.errcode, roomId).toBe("M_INVALID_PARAM");
    }
  });

  it("refuses other users, server-managed types and non-objects", async () => {
    const forbidden = await server.http.get(perRoom(alice.userId, room, "m.tag"), bob.accessToken);
    expect(forbidden.status).toBe(403);
    const fullyRead = await server.http.put(
      perRoom(alice.userId, room, "m.fully_read"),
      { event_id: "$e" },
      alice.accessToken,
    );
    expect(fullyRead.status).toBe(405);
    expect(fullyRead.body.errcode).toBe("M_BAD_JSON");
    const notObject = await server.http.request("PUT", perRoom(alice.userId, room, "m.tag"), {
      token: alice.accessToken,
      rawBody: "[]",
    });
    expect(notObject.body.errcode).toBe("M_NOT_JSON");
  });
});
