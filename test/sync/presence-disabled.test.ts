import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits", "--no-presence"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  const roomId = (
    await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, alice.accessToken)
  ).body.room_id;
  await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, bob.accessToken);
});
afterAll(() => server.close());

describe("presence off (presence: false)", () => {
  it("accepts updates, sends nothing in /sync, and reports everyone offline (as Synapse)", async () => {
    const base = await server.http.get("/_matrix/client/v3/sync", bob.accessToken);
    expect(base.body.presence.events).toEqual([]);
    const put = await server.http.put(
      `/_matrix/client/v3/presence/${enc(alice.userId)}/status`,
      { presence: "online", status_msg: "hi" },
      alice.accessToken,
    );
    expect(put.status).toBe(200);
    const res = await server.http.get(
      `/_matrix/client/v3/sync?since=${base.body.next_batch}`,
      bob.accessToken,
    );
    expect(res.body.presence.events).toEqual([]);
    const got = await server.http.get(
      `/_matrix/client/v3/presence/${enc(alice.userId)}/status`,
      bob.accessToken,
    );
    expect(got.body).toEqual({ presence: "offline" });
    // Someone else's presence still cannot be set.
    const other = await server.http.put(
      `/_matrix/client/v3/presence/${enc(bob.userId)}/status`,
      { presence: "online" },
      alice.accessToken,
    );
    expect(other.status).toBe(403);
  });
});
