/**
 * Incremental /sync of rooms the user was already in: bundled aggregations of the new events (read
 * without the room's visibility history unless something relates to them), and the room summary,
 * sent when membership changed and left out when it did not.
 */
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

const sync = (user: TestUser, since?: string) =>
  server.http.get(`/_matrix/client/v3/sync${since ? `?since=${enc(since)}` : ""}`, user.accessToken);
const send = async (
  roomId: string,
  user: TestUser,
  content: Record<string, unknown>,
  type = "m.room.message",
) =>
  (
    await server.http.put(
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/${Math.random()}`,
      content,
      user.accessToken,
    )
  ).body.event_id as string;

async function sharedRoom(body: Record<string, unknown> = {}) {
  const roomId = (
    await server.http.post(
      "/_matrix/client/v3/createRoom",
      { preset: "public_chat", ...body },
      alice.accessToken,
    )
  ).body.room_id as string;
  await server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, bob.accessToken);
  return roomId;
}

describe("incremental /sync", () => {
  it("bundles edits, threads and references of new events for a member joined before the token", async () => {
    const roomId = await sharedRoom({ initial_state: [history("joined")] });
    const since = (await sync(bob)).body.next_batch as string;
    const root = await send(roomId, alice, { msgtype: "m.text", body: "root" });
    const edit = await send(roomId, alice, {
      msgtype: "m.text",
      body: "* edited",
      "m.new_content": { msgtype: "m.text", body: "edited" },
      "m.relates_to": { rel_type: "m.replace", event_id: root },
    });
    const reply = await send(roomId, bob, {
      msgtype: "m.text",
      body: "in thread",
      "m.relates_to": { rel_type: "m.thread", event_id: root },
    });
    const ref = await send(roomId, alice, {
      msgtype: "m.text",
      body: "see above",
      "m.relates_to": { rel_type: "m.reference", event_id: root },
    });
    const events = (await sync(bob, since)).body.rooms.join[roomId].timeline.events;
    const bundle = events.find((e: { event_id: string }) => e.event_id === root).unsigned["m.relations"];
    expect(bundle["m.replace"].event_id).toBe(edit);
    expect(bundle["m.thread"]).toMatchObject({ count: 1, current_user_participated: true });
    expect(bundle["m.thread"].latest_event.event_id).toBe(reply);
    expect(bundle["m.reference"]).toEqual({ chunk: [{ event_id: ref }] });
  });

  it("sends an edit of an event from before the token on its own", async () => {
    const roomId = await sharedRoom();
    const root = await send(roomId, alice, { msgtype: "m.text", body: "root" });
    const since = (await sync(bob)).body.next_batch as string;
    const edit = await send(roomId, alice, {
      msgtype: "m.text",
      body: "* edited",
      "m.new_content": { msgtype: "m.text", body: "edited" },
      "m.relates_to": { rel_type: "m.replace", event_id: root },
    });
    const events = (await sync(bob, since)).body.rooms.join[roomId].timeline.events;
    expect(events.map((e: { event_id: string }) => e.event_id)).toEqual([edit]);
  });

  it("sends the summary when membership changed and may leave it out when it did not", async () => {
    const roomId = await sharedRoom();
    const first = await sync(bob);
    expect(first.body.rooms.join[roomId].summary["m.joined_member_count"]).toBe(2);
    await send(roomId, alice, { msgtype: "m.text", body: "hello" });
    const quiet = await sync(bob, first.body.next_batch);
    expect(quiet.body.rooms.join[roomId].summary).toBeUndefined();
    await server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, carol.accessToken);
    const joined = await sync(bob, quiet.body.next_batch);
    expect(joined.body.rooms.join[roomId].summary).toEqual({
      "m.heroes": [alice.userId, carol.userId],
      "m.joined_member_count": 3,
      "m.invited_member_count": 0,
    });
  });
});

function history(visibility: string) {
  return { type: "m.room.history_visibility", state_key: "", content: { history_visibility: visibility } };
}
