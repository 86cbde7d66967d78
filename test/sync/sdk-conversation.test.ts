/**
 * matrix-js-sdk as the judge of the ephemeral streams: two clients run the SDK's real sync loop
 * through a scripted conversation — messages, typing, read receipts, presence, membership changes,
 * account data — and each thing arrives once and in order on the other client. Then one client stops,
 * the conversation goes on, and a /sync with its saved token resumes without gaps or duplicates.
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

describe("a conversation between two matrix-js-sdk clients", () => {
  it("delivers messages, typing, receipts, presence, membership and account data once and in order", async () => {
    const a = await startClient(alice);
    const b = await startClient(bob);

    // What bob's client sees of the room, in arrival order.
    const seenByBob: string[] = [];
    const typingSeenByBob: boolean[] = [];
    const presenceSeenByBob: string[] = [];
    b.on(sdk.RoomEvent.Timeline, (event, _room, toStart, _removed, data) => {
      if (toStart || !data?.liveEvent) return;
      if (event.getType() === "m.room.message") seenByBob.push(`msg:${event.getContent().body}`);
      if (event.getType() === "m.room.member" && event.getStateKey() !== bob.userId) {
        seenByBob.push(`member:${event.getStateKey()}:${event.getContent().membership}`);
      }
    });
    b.on(sdk.RoomMemberEvent.Typing, (_event, member) => {
      if (member.userId === alice.userId) typingSeenByBob.push(member.typing);
    });
    b.on(sdk.UserEvent.Presence, (_event, user) => {
      if (user?.userId === alice.userId)
        presenceSeenByBob.push(`${user.presence}:${user.presenceStatusMsg ?? ""}`);
    });
    const receiptsSeenByAlice: string[] = [];
    a.on(sdk.RoomEvent.Receipt, (event) => {
      for (const [eventId, byType] of Object.entries(event.getContent())) {
        const readers = (byType as Record<string, Record<string, unknown>>)["m.read"] ?? {};
        if (bob.userId in readers) receiptsSeenByAlice.push(eventId);
      }
    });
    const accountDataSeen: string[] = [];
    a.on(sdk.ClientEvent.AccountData, (event) => {
      if (event.getType() === "org.example.settings") accountDataSeen.push(String(event.getContent().v));
    });

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

    // Messages.
    const sent: string[] = [];
    for (const body of ["one", "two", "three"]) {
      sent.push((await a.sendTextMessage(roomId, body)).event_id);
    }
    await waitUntil(() => seenByBob.filter((s) => s.startsWith("msg:")).length >= 3, "three messages");

    // Typing: start, then stop.
    await a.sendTyping(roomId, true, 30_000);
    await waitUntil(() => typingSeenByBob.length >= 1, "typing start");
    await a.sendTyping(roomId, false, 0);
    await waitUntil(() => typingSeenByBob.length >= 2, "typing stop");

    // Read receipt from bob on the last message.
    const last = b.getRoom(roomId)?.findEventById(sent[2] as string);
    expect(last).toBeTruthy();
    await b.sendReadReceipt(last as sdk.MatrixEvent);
    await waitUntil(() => receiptsSeenByAlice.includes(sent[2] as string), "bob's receipt at alice");
    expect(a.getRoom(roomId)?.getEventReadUpTo(bob.userId)).toBe(sent[2]);

    // Presence.
    await a.setPresence({ presence: "unavailable", status_msg: "in a meeting" });
    await waitUntil(() => presenceSeenByBob.includes("unavailable:in a meeting"), "alice's presence at bob");

    // Membership: carol joins and leaves.
    const carol = await registerUser(server.http, "carol");
    await a.invite(roomId, carol.userId);
    await server.http.post(`/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {}, carol.accessToken);
    await server.http.post(
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`,
      {},
      carol.accessToken,
    );
    await waitUntil(() => seenByBob.includes(`member:${carol.userId}:leave`), "carol's leave at bob");

    // Account data.
    await a.setAccountData("org.example.settings" as keyof sdk.AccountDataEvents, { v: 1 } as never);
    await a.setAccountData("org.example.settings" as keyof sdk.AccountDataEvents, { v: 2 } as never);
    await waitUntil(() => accountDataSeen.includes("2"), "account data");

    expect(seenByBob.filter((s) => !s.startsWith("member:@alice"))).toEqual([
      "msg:one",
      "msg:two",
      "msg:three",
      `member:${carol.userId}:invite`,
      `member:${carol.userId}:join`,
      `member:${carol.userId}:leave`,
    ]);
    expect(typingSeenByBob).toEqual([true, false]);
    expect(receiptsSeenByAlice.filter((id) => id === sent[2])).toHaveLength(1);
    expect(presenceSeenByBob.filter((p) => p === "unavailable:in a meeting")).toHaveLength(1);
    expect(accountDataSeen.at(-1)).toBe("2");
    expect(a.getAccountData("org.example.settings" as keyof sdk.AccountDataEvents)?.getContent()).toEqual({
      v: 2,
    });

    // Bob's client stops; its saved token resumes exactly where it left off.
    const token = b.store.getSyncToken();
    expect(token).toBeTruthy();
    b.stopClient();
    await a.sendTextMessage(roomId, "four");
    await a.sendTextMessage(roomId, "five");
    await a.sendTyping(roomId, true, 30_000);
    const resumed = await server.http.get(
      `/_matrix/client/v3/sync?since=${encodeURIComponent(token as string)}`,
      bob.accessToken,
    );
    const room = resumed.body.rooms.join[roomId];
    expect(
      room.timeline.events
        .filter((e: { type: string }) => e.type === "m.room.message")
        .map((e: { content: { body: string } }) => e.content.body),
    ).toEqual(["four", "five"]);
    expect(room.timeline.limited).toBe(false);
    expect(room.ephemeral.events).toContainEqual({ type: "m.typing", content: { user_ids: [alice.userId] } });
    // Nothing bob's client had already seen comes again: no old receipt, and of alice's presence only
    // the change since (typing is activity, which brings her back online, as in Synapse).
    expect(JSON.stringify(room.ephemeral.events)).not.toContain("m.receipt");
    expect(
      resumed.body.presence.events
        .filter((e: { sender: string }) => e.sender === alice.userId)
        .map((e: { content: { presence: string } }) => e.content.presence),
    ).toEqual(["online"]);

    // A new client for bob with the same token continues from there too.
    const again = await server.http.get(
      `/_matrix/client/v3/sync?since=${encodeURIComponent(resumed.body.next_batch)}&timeout=0`,
      bob.accessToken,
    );
    expect(again.body.rooms.join[roomId]).toBeUndefined();
    await a.sendTyping(roomId, false, 0);
  });
});
