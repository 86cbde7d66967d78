import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  carol = await registerUser(server.http, "carol");
});
afterAll(() => server.close());

let txn = 0;
const send = async (roomId: string, user: TestUser, content: object, type = "m.room.message") => {
  const res = await server.http.put(
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/t${txn++}`,
    content,
    user.accessToken,
  );
  expect(res.status).toBe(200);
  return res.body.event_id as string;
};
const text = (body: string, extra: object = {}) => ({ msgtype: "m.text", body, ...extra });
const sync = (user: TestUser, params = "") =>
  server.http.get(`/_matrix/client/v3/sync?${params}`, user.accessToken);
const receipt = (user: TestUser, roomId: string, eventId: string, body: object = {}, type = "m.read") =>
  server.http.post(
    `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/${type}/${enc(eventId)}`,
    body,
    user.accessToken,
  );

/** A room of alice with the given others joined. */
async function room(...members: TestUser[]): Promise<string> {
  const roomId = (
    await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
  ).body.room_id as string;
  for (const m of members) {
    expect(
      (await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, m.accessToken)).status,
    ).toBe(200);
  }
  return roomId;
}

const counts = async (user: TestUser, roomId: string, params = "") =>
  (await sync(user, params)).body.rooms.join[roomId]?.unread_notifications;

describe("unread notification counts in /sync", () => {
  it("counts messages from others, not one's own, and a read receipt resets them", async () => {
    const roomId = await room(bob, carol);
    await send(roomId, alice, text("one"));
    await send(roomId, alice, text("two"));
    await send(roomId, bob, text("from bob"));
    expect(await counts(bob, roomId)).toEqual({ notification_count: 2, highlight_count: 0 });
    expect(await counts(alice, roomId)).toEqual({ notification_count: 1, highlight_count: 0 });

    const initial = await sync(bob);
    const last = await send(roomId, alice, text("three"));
    const next = await sync(bob, `since=${initial.body.next_batch}`);
    // "The updated notification count from a new event MUST appear in the same /sync response as the
    // event itself."
    expect(next.body.rooms.join[roomId].unread_notifications).toEqual({
      notification_count: 3,
      highlight_count: 0,
    });

    expect((await receipt(bob, roomId, last)).status).toBe(200);
    const afterReceipt = await sync(bob, `since=${next.body.next_batch}`);
    expect(afterReceipt.body.rooms.join[roomId].unread_notifications).toEqual({
      notification_count: 0,
      highlight_count: 0,
    });
  });

  it("raises highlight_count for an m.mentions mention of the user, and a private receipt also resets", async () => {
    const roomId = await room(bob, carol);
    await send(roomId, alice, text("hi bob", { "m.mentions": { user_ids: [bob.userId] } }));
    await send(roomId, alice, text("hi carol", { "m.mentions": { user_ids: [carol.userId] } }));
    const last = await send(roomId, alice, text("plain"));
    expect(await counts(bob, roomId)).toEqual({ notification_count: 3, highlight_count: 1 });
    expect(await counts(carol, roomId)).toEqual({ notification_count: 3, highlight_count: 1 });
    await receipt(bob, roomId, last, {}, "m.read.private");
    expect(await counts(bob, roomId)).toEqual({ notification_count: 0, highlight_count: 0 });
    expect(await counts(carol, roomId)).toEqual({ notification_count: 3, highlight_count: 1 });
  });

  it("counts an encrypted event (.m.rule.encrypted) and only notifies about what the rules say", async () => {
    const roomId = await room(bob, carol);
    await send(
      roomId,
      alice,
      {
        algorithm: "m.megolm.v1.aes-sha2",
        ciphertext: "AwgAEnAC",
        sender_key: "k",
        device_id: "D",
        session_id: "s",
      },
      "m.room.encrypted",
    );
    await send(roomId, alice, { msgtype: "m.notice", body: "bot" });
    await send(
      roomId,
      alice,
      { "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "👍" } },
      "m.reaction",
    );
    expect(await counts(bob, roomId)).toEqual({ notification_count: 1, highlight_count: 0 });
  });

  it("counts @room from a sender with the power, and follows the user's own push rules", async () => {
    const roomId = await room(bob, carol);
    await send(roomId, alice, text("all", { "m.mentions": { room: true } }));
    await send(roomId, bob, text("all from bob", { "m.mentions": { room: true } }));
    expect(await counts(carol, roomId)).toEqual({ notification_count: 2, highlight_count: 1 });

    const quiet = await server.http.put(
      `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`,
      { actions: [] },
      bob.accessToken,
    );
    expect(quiet.status).toBe(200);
    const before = (await counts(bob, roomId)) as { notification_count: number };
    await send(roomId, alice, text("muted for bob"));
    expect(await counts(bob, roomId)).toEqual(before);
  });

  it("splits counts per thread when the filter asks, and threaded receipts clear only their thread", async () => {
    const roomId = await room(bob);
    const root = await send(roomId, alice, text("root"));
    const inThread = (body: string, mention = false) =>
      send(
        roomId,
        alice,
        text(body, {
          "m.relates_to": { rel_type: "m.thread", event_id: root },
          ...(mention ? { "m.mentions": { user_ids: [bob.userId] } } : {}),
        }),
      );
    await inThread("t1");
    const t2 = await inThread("t2", true);
    await send(roomId, alice, text("main again"));
    const threaded = `filter=${enc(JSON.stringify({ room: { timeline: { unread_thread_notifications: true } } }))}`;

    expect(await counts(bob, roomId)).toEqual({ notification_count: 4, highlight_count: 1 });
    let res = (await sync(bob, threaded)).body.rooms.join[roomId];
    expect(res.unread_notifications).toEqual({ notification_count: 2, highlight_count: 0 });
    expect(res.unread_thread_notifications).toEqual({
      [root]: { notification_count: 2, highlight_count: 1 },
    });

    await receipt(bob, roomId, t2, { thread_id: root });
    res = (await sync(bob, threaded)).body.rooms.join[roomId];
    expect(res.unread_notifications).toEqual({ notification_count: 2, highlight_count: 0 });
    expect(res.unread_thread_notifications).toEqual({});
    expect(await counts(bob, roomId)).toEqual({ notification_count: 2, highlight_count: 0 });

    await receipt(bob, roomId, root, { thread_id: "main" });
    res = (await sync(bob, threaded)).body.rooms.join[roomId];
    expect(res.unread_notifications).toEqual({ notification_count: 1, highlight_count: 0 });
  });
});

describe("what a message is checked and counted against after the room changed", () => {
  // The event creator keeps what it read about a room (auth events, members, power levels) from one
  // batch of plain messages to the next while only plain messages are added (LockScope): each test
  // sends a message, changes something between two messages, and checks the second saw the change.
  const setState = async (roomId: string, type: string, content: object, stateKey = "") =>
    expect(
      (
        await server.http.put(
          `/_matrix/client/v3/rooms/${enc(roomId)}/state/${type}/${enc(stateKey)}`,
          content,
          alice.accessToken,
        )
      ).status,
    ).toBe(200);

  it("refuses a message once the power levels no longer let the sender talk", async () => {
    const roomId = await room(bob);
    await send(roomId, bob, text("allowed"));
    const levels = (
      await server.http.get(
        `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`,
        alice.accessToken,
      )
    ).body;
    await setState(roomId, "m.room.power_levels", { ...levels, events_default: 50 });
    const refused = await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${txn++}`,
      text("not any more"),
      bob.accessToken,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.errcode).toBe("M_FORBIDDEN");
    await send(roomId, alice, text("the admin still talks"));
  });

  it("notifies a member who joined between two messages, and no longer one who left", async () => {
    const roomId = await room(bob);
    await send(roomId, alice, text("before carol"));
    expect(
      (await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, carol.accessToken)).status,
    ).toBe(200);
    await send(roomId, alice, text("carol is here"));
    expect(await counts(carol, roomId)).toEqual({ notification_count: 1, highlight_count: 0 });
    expect(await counts(bob, roomId)).toEqual({ notification_count: 2, highlight_count: 0 });

    expect(
      (await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {}, bob.accessToken)).status,
    ).toBe(200);
    await send(roomId, alice, text("bob is gone"));
    const left = await sync(bob, "filter=" + enc(JSON.stringify({ room: { include_leave: true } })));
    expect(left.body.rooms.join[roomId]).toBeUndefined();
    const notifications = (await server.http.get("/_matrix/client/v3/notifications", bob.accessToken)).body
      .notifications as Array<{ event: { content: { body: string } } }>;
    expect(notifications.map((n) => n.event.content.body)).not.toContain("bob is gone");
  });

  it("follows a push rule change and a new display name between two messages", async () => {
    const roomId = await room(bob);
    await send(roomId, bob, text("counted"));
    // Alice mutes the room: a room rule with no actions (spec: "Push Rules", kind `room`).
    expect(
      (
        await server.http.put(
          `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`,
          { actions: [] },
          alice.accessToken,
        )
      ).status,
    ).toBe(200);
    await send(roomId, bob, text("muted"));
    expect(await counts(alice, roomId)).toEqual({ notification_count: 1, highlight_count: 0 });
    expect(
      (
        await server.http.delete(
          `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`,
          undefined,
          alice.accessToken,
        )
      ).status,
    ).toBe(200);

    // A display name change is a member event in the room: a rule matching the display name (the
    // legacy `.m.rule.contains_display_name` is off by default, so alice adds her own) then
    // matches the new name.
    expect(
      (
        await server.http.put(
          "/_matrix/client/v3/pushrules/global/override/my-name",
          {
            conditions: [{ kind: "contains_display_name" }],
            actions: ["notify", { set_tweak: "highlight" }],
          },
          alice.accessToken,
        )
      ).status,
    ).toBe(200);
    await send(roomId, bob, text("hello alice, before"));
    expect(
      (
        await server.http.put(
          `/_matrix/client/v3/profile/${enc(alice.userId)}/displayname`,
          { displayname: "Zebulon" },
          alice.accessToken,
        )
      ).status,
    ).toBe(200);
    await send(roomId, bob, text("hello alice, after")); // the old name: a notification, no highlight
    await send(roomId, bob, text("hello Zebulon"));
    expect(await counts(alice, roomId)).toEqual({ notification_count: 4, highlight_count: 2 });
    const highlights = (
      await server.http.get("/_matrix/client/v3/notifications?only=highlight", alice.accessToken)
    ).body.notifications as Array<{ event: { content: { body: string } } }>;
    expect(highlights.map((n) => n.event.content.body)).toEqual(["hello Zebulon", "hello alice, before"]);
  });
});

describe("GET /notifications", () => {
  it("lists notifications newest first with read flags, pages with next_token, filters highlights", async () => {
    const roomId = await room(carol);
    const first = await send(roomId, alice, text("n1"));
    await send(roomId, alice, text("n2", { "m.mentions": { user_ids: [carol.userId] } }));
    await send(roomId, alice, text("n3"));
    await receipt(carol, roomId, first);

    const page = await server.http.get("/_matrix/client/v3/notifications?limit=2", carol.accessToken);
    expect(page.status).toBe(200);
    expect(page.body.notifications.map((n: any) => n.event.content.body)).toEqual(["n3", "n2"]);
    const n2 = page.body.notifications[1];
    expect(n2).toMatchObject({ room_id: roomId, read: false });
    expect(n2.actions).toContainEqual({ set_tweak: "highlight" });
    expect(n2.event.room_id).toBeUndefined();
    expect(typeof n2.ts).toBe("number");
    expect(typeof page.body.next_token).toBe("string");

    const rest = await server.http.get(
      `/_matrix/client/v3/notifications?limit=2&from=${page.body.next_token}`,
      carol.accessToken,
    );
    const bodies = rest.body.notifications.map((n: any) => n.event.content.body);
    expect(bodies[0]).toBe("n1");
    expect(rest.body.notifications[0].read).toBe(true);

    const highlights = await server.http.get(
      "/_matrix/client/v3/notifications?only=highlight",
      carol.accessToken,
    );
    expect(highlights.body.notifications.map((n: any) => n.event.content.body)).toContain("n2");
    expect(
      highlights.body.notifications.every((n: any) =>
        n.actions.some((a: any) => a.set_tweak === "highlight"),
      ),
    ).toBe(true);
    expect(highlights.body.next_token).toBeUndefined();

    expect(
      (await server.http.get("/_matrix/client/v3/notifications?from=abc", carol.accessToken)).status,
    ).toBe(400);
  });

  it("includes invites (.m.rule.invite_for_me) for the invited user", async () => {
    const dave = await registerUser(server.http, "dave");
    const roomId = await room();
    await server.http.post(
      `/_matrix/client/v3/rooms/${enc(roomId)}/invite`,
      { user_id: dave.userId },
      alice.accessToken,
    );
    const res = await server.http.get("/_matrix/client/v3/notifications", dave.accessToken);
    expect(res.body.notifications).toHaveLength(1);
    expect(res.body.notifications[0].event).toMatchObject({ type: "m.room.member", state_key: dave.userId });
  });
});

describe("pushers", () => {
  const pusher = {
    kind: "http",
    app_id: "com.example.app.ios",
    pushkey: "APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ",
    app_display_name: "Mat Rix",
    device_display_name: "iPhone 9",
    profile_tag: "xxyyzz",
    lang: "en",
    data: { url: "https://push-gateway.location.here/_matrix/push/v1/notify", format: "event_id_only" },
  };
  const set = (user: TestUser, body: object) =>
    server.http.post("/_matrix/client/v3/pushers/set", body, user.accessToken);
  const list = async (user: TestUser) =>
    (await server.http.get("/_matrix/client/v3/pushers", user.accessToken)).body.pushers;

  it("sets, lists, replaces and deletes a pusher", async () => {
    expect(await list(alice)).toEqual([]);
    expect((await set(alice, pusher)).status).toBe(200);
    const { kind, app_id, pushkey, app_display_name, device_display_name, profile_tag, lang, data } = pusher;
    expect(await list(alice)).toEqual([
      { kind, app_id, pushkey, app_display_name, device_display_name, profile_tag, lang, data },
    ]);
    await set(alice, { ...pusher, lang: "de" });
    expect((await list(alice)).map((p: { lang: string }) => p.lang)).toEqual(["de"]);
    expect((await set(alice, { kind: null, app_id: pusher.app_id, pushkey: pusher.pushkey })).status).toBe(
      200,
    );
    expect(await list(alice)).toEqual([]);
  });

  it("moves a pushkey to the new user unless append is true", async () => {
    await set(alice, pusher);
    await set(bob, { ...pusher, append: true });
    expect(await list(alice)).toHaveLength(1);
    await set(carol, pusher);
    expect(await list(alice)).toEqual([]);
    expect(await list(bob)).toEqual([]);
    expect(await list(carol)).toHaveLength(1);
  });

  it.each([
    ["M_MISSING_PARAM", "no data.url for an http pusher", { ...pusher, data: {} }],
    ["M_MISSING_PARAM", "no lang", { ...pusher, lang: undefined }],
    [
      "M_INVALID_PARAM",
      "a gateway URL with another path",
      { ...pusher, data: { url: "https://gw.example/notify" } },
    ],
    ["M_INVALID_PARAM", "an unknown kind", { ...pusher, kind: "carrier-pigeon" }],
    ["M_BAD_JSON", "an app_id over 64 characters", { ...pusher, app_id: "a".repeat(65) }],
    ["M_BAD_JSON", "no pushkey", { ...pusher, pushkey: undefined }],
  ])("refuses with %s: %s", async (errcode, _name, body) => {
    const res = await set(alice, body);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe(errcode);
  });
});
