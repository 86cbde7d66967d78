/**
 * matrix-js-sdk as the judge of rooms and sync: two clients running the SDK's real sync loop create
 * a room, invite, join and exchange 100 messages; each sees them once and in order, and
 * back-paginates all of them from a fresh login.
 */
import * as sdk from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncingClients, waitUntil } from "../support/sdk.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const clients = syncingClients();
const startClient = (user: TestUser) => clients.start(server.url, user);

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
});
afterAll(async () => {
  clients.stopAll();
  await server.close();
});

describe("two matrix-js-sdk clients in one room", () => {
  it("create, invite, join, exchange 100 messages in order, back-paginate them all", async () => {
    const a = await startClient(alice);
    const b = await startClient(bob);

    const { room_id: roomId } = await a.createRoom({ name: "Chat", invite: [bob.userId] });
    await waitUntil(
      () => b.getRoom(roomId)?.getMyMembership() === sdk.KnownMembership.Invite,
      "bob's invite",
    );
    await b.joinRoom(roomId);
    await waitUntil(
      () => a.getRoom(roomId)?.getMember(bob.userId)?.membership === "join",
      "bob's join at alice",
    );

    for (let i = 0; i < 100; i++) {
      const sender = i % 2 === 0 ? a : b;
      await sender.sendTextMessage(roomId, `message ${i}`);
    }
    const expected = Array.from({ length: 100 }, (_, i) => `message ${i}`);
    const bodies = (client: sdk.MatrixClient) =>
      (client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
        .filter((e) => e.getType() === "m.room.message" && !e.isSending())
        .map((e) => e.getContent().body as string);
    for (const [client, own] of [
      [a, 0],
      [b, 1],
    ] as const) {
      await waitUntil(() => bodies(client).length >= 100, "100 messages");
      // Each message once. A client shows its own messages where it sent them (local echo), so only
      // the other user's messages are checked for the server's order here.
      expect([...bodies(client)].sort()).toEqual([...expected].sort());
      const theirs = expected.filter((_, i) => i % 2 !== own);
      expect(bodies(client).filter((body) => theirs.includes(body))).toEqual(theirs);
    }

    // A fresh login sees only the latest messages at first, and pages back through all of them.
    const login = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "bob" },
      password: bob.password,
    });
    const fresh = await startClient({
      ...bob,
      accessToken: login.body.access_token,
      deviceId: login.body.device_id,
    });
    const room = fresh.getRoom(roomId);
    expect(room).toBeTruthy();
    while (room && room.getLiveTimeline().getPaginationToken(sdk.EventTimeline.BACKWARDS)) {
      await fresh.scrollback(room, 30);
    }
    expect(bodies(fresh)).toEqual(expected);
    const types =
      room
        ?.getLiveTimeline()
        .getEvents()
        .map((e) => e.getType()) ?? [];
    expect(types[0]).toBe("m.room.create");
  });

  it("a redaction strips the content for both users; a banned user cannot rejoin", async () => {
    const a = await startClient(alice);
    const b = await startClient(bob);
    const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PublicChat });
    await b.joinRoom(roomId);
    const { event_id: secret } = await b.sendTextMessage(roomId, "a secret");
    await waitUntil(() => !!a.getRoom(roomId)?.findEventById(secret), "the message at alice");
    await a.redactEvent(roomId, secret, undefined, { reason: "spam" });
    for (const client of [a, b]) {
      await waitUntil(() => !!client.getRoom(roomId)?.findEventById(secret)?.isRedacted(), "the redaction");
      expect(client.getRoom(roomId)?.findEventById(secret)?.getContent()).toEqual({});
    }
    // Read back from the server too: the stored original is never served.
    const fromServer = await b.fetchRoomEvent(roomId, secret);
    expect(fromServer.content).toEqual({});
    expect(fromServer.unsigned?.redacted_because?.content).toMatchObject({ reason: "spam" });

    await a.ban(roomId, bob.userId, "flooding");
    await waitUntil(() => b.getRoom(roomId)?.getMyMembership() === sdk.KnownMembership.Ban, "bob's ban");
    const refused = await b.joinRoom(roomId).then(
      () => undefined,
      (error: sdk.MatrixError) => error,
    );
    expect(refused?.errcode).toBe("M_FORBIDDEN");
    expect(refused?.httpStatus).toBe(403);
  });
});
