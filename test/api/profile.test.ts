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

const profile = (userId: string, field = "") =>
  `/_matrix/client/v3/profile/${encodeURIComponent(userId)}${field ? `/${field}` : ""}`;

describe("GET /profile/{userId}", () => {
  it("returns the display name registration chose, without an avatar key, to anyone", async () => {
    const res = await server.http.get(profile(alice.userId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ displayname: "alice" });
  });

  it("answers 404 M_NOT_FOUND for unknown users, local or remote", async () => {
    for (const userId of ["@nobody:localhost", "@someone:elsewhere.example"]) {
      const res = await server.http.get(profile(userId));
      expect(res.status).toBe(404);
      expect(res.body.errcode).toBe("M_NOT_FOUND");
    }
  });
});

describe("displayname", () => {
  it("is set by the user and read back on both paths", async () => {
    const set = await server.http.put(
      profile(alice.userId, "displayname"),
      { displayname: "Alice 🐇" },
      alice.accessToken,
    );
    expect(set.status).toBe(200);
    expect(set.body).toEqual({});
    const one = await server.http.get(`/_matrix/client/r0/profile/${alice.userId}/displayname`);
    expect(one.body).toEqual({ displayname: "Alice 🐇" });
    expect((await server.http.get(profile(alice.userId))).body.displayname).toBe("Alice 🐇");
  });

  it("can only be set by the user themself (403 M_FORBIDDEN)", async () => {
    const res = await server.http.put(
      profile(alice.userId, "displayname"),
      { displayname: "Mallory" },
      bob.accessToken,
    );
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe("M_FORBIDDEN");
    expect((await server.http.get(profile(alice.userId, "displayname"))).body.displayname).not.toBe(
      "Mallory",
    );
  });

  it("is at most 256 characters (code points), a string, and present", async () => {
    const path = profile(bob.userId, "displayname");
    const max = await server.http.put(path, { displayname: "😀".repeat(256) }, bob.accessToken);
    expect(max.status).toBe(200);
    const tooLong = await server.http.put(path, { displayname: "x".repeat(257) }, bob.accessToken);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errcode).toBe("M_INVALID_PARAM");
    const wrongType = await server.http.put(path, { displayname: 7 }, bob.accessToken);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errcode).toBe("M_BAD_JSON");
    const nul = await server.http.put(path, { displayname: null }, bob.accessToken);
    expect(nul.body.errcode).toBe("M_BAD_JSON");
    const missing = await server.http.put(path, { avatar_url: "mxc://a/b" }, bob.accessToken);
    expect(missing.status).toBe(400);
    expect(missing.body.errcode).toBe("M_MISSING_PARAM");
    const notJson = await server.http.request("PUT", path, { token: bob.accessToken, rawBody: "Bob" });
    expect(notJson.body.errcode).toBe("M_NOT_JSON");
    const array = await server.http.request("PUT", path, { token: bob.accessToken, rawBody: '["Bob"]' });
    expect(array.body.errcode).toBe("M_NOT_JSON");
  });

  it("is cleared by an empty string, after which the field is 404", async () => {
    const user = await registerUser(server.http, "clearer");
    await server.http.put(profile(user.userId, "displayname"), { displayname: "" }, user.accessToken);
    const res = await server.http.get(profile(user.userId, "displayname"));
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe("M_NOT_FOUND");
    expect((await server.http.get(profile(user.userId))).body).toEqual({});
  });

  it("needs an access token to set", async () => {
    const res = await server.http.put(profile(alice.userId, "displayname"), { displayname: "anon" });
    expect(res.status).toBe(401);
  });
});

describe("avatar_url", () => {
  it("is set to an mxc:// URI and read back; 404 before it is set", async () => {
    const user = await registerUser(server.http, "painter");
    expect((await server.http.get(profile(user.userId, "avatar_url"))).status).toBe(404);
    const set = await server.http.put(
      profile(user.userId, "avatar_url"),
      { avatar_url: "mxc://localhost/AbC_12-3" },
      user.accessToken,
    );
    expect(set.status).toBe(200);
    expect((await server.http.get(profile(user.userId, "avatar_url"))).body).toEqual({
      avatar_url: "mxc://localhost/AbC_12-3",
    });
    expect((await server.http.get(profile(user.userId))).body).toEqual({
      displayname: "painter",
      avatar_url: "mxc://localhost/AbC_12-3",
    });
    await server.http.put(profile(user.userId, "avatar_url"), { avatar_url: "" }, user.accessToken);
    expect((await server.http.get(profile(user.userId))).body).toEqual({ displayname: "painter" });
  });

  it("refuses URLs that are not mxc://, malformed mxc URIs and oversized ones (M_INVALID_PARAM)", async () => {
    const path = profile(bob.userId, "avatar_url");
    for (const url of [
      "https://example.org/cat.png",
      "mxc://localhost",
      "mxc://localhost/",
      "mxc://localhost/a/b",
      "mxc://localhost/bad id",
      `mxc://localhost/${"a".repeat(1000)}`,
    ]) {
      const res = await server.http.put(path, { avatar_url: url }, bob.accessToken);
      expect(res.status, url).toBe(400);
      expect(res.body.errcode, url).toBe("M_INVALID_PARAM");
    }
    const other = await server.http.put(
      profile(alice.userId, "avatar_url"),
      { avatar_url: "mxc://localhost/x" },
      bob.accessToken,
    );
    expect(other.status).toBe(403);
    expect((await server.http.get(profile(bob.userId))).body).not.toHaveProperty("avatar_url");
  });

  it("accepts server names with ports and IP literals", async () => {
    const path = profile(bob.userId, "avatar_url");
    for (const url of ["mxc://matrix.example.org:8448/abc", "mxc://[::1]:8448/abc", "mxc://10.0.0.1/abc"]) {
      expect((await server.http.put(path, { avatar_url: url }, bob.accessToken)).status, url).toBe(200);
    }
  });
});

interface MemberEvent {
  type: string;
  state_key?: string;
  content: Record<string, unknown>;
  unsigned?: { prev_content?: unknown };
}

describe("profile changes in rooms (spec: Events on Change of Profile Information)", () => {
  const memberPath = (roomId: string, userId: string) =>
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`;

  async function createRoom(owner: TestUser, preset: string): Promise<string> {
    const res = await server.http.post("/_matrix/client/v3/createRoom", { preset }, owner.accessToken);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  }

  it("sends an updated member event into every joined room, seen in room state and /sync", async () => {
    const carol = await registerUser(server.http, "carol");
    const own = await createRoom(carol, "private_chat");
    const joined = await createRoom(bob, "public_chat");
    // Joined with a reason: it belonged to that join and is not repeated in the profile updates.
    const join = await server.http.post(
      `/_matrix/client/v3/join/${joined}`,
      { reason: "hi" },
      carol.accessToken,
    );
    expect(join.status).toBe(200);
    const left = await createRoom(bob, "public_chat");
    await server.http.post(`/_matrix/client/v3/join/${left}`, {}, carol.accessToken);
    await server.http.post(`/_matrix/client/v3/rooms/${left}/leave`, {}, carol.accessToken);
    const since = (await server.http.get("/_matrix/client/v3/sync?timeout=0", carol.accessToken)).body
      .next_batch as string;

    const avatar = await server.http.put(
      profile(carol.userId, "avatar_url"),
      { avatar_url: "mxc://localhost/c" },
      carol.accessToken,
    );
    expect(avatar.status).toBe(200);
    const set = await server.http.put(
      profile(carol.userId, "displayname"),
      { displayname: "Carol Renamed" },
      carol.accessToken,
    );
    expect(set.status).toBe(200);

    for (const roomId of [own, joined]) {
      const state = await server.http.get(memberPath(roomId, carol.userId), carol.accessToken);
      expect(state.body).toEqual({
        membership: "join",
        displayname: "Carol Renamed",
        avatar_url: "mxc://localhost/c",
      });
    }
    // Not in the room carol left: still her leave.
    const old = await server.http.get(memberPath(left, carol.userId), bob.accessToken);
    expect(old.body.membership).toBe("leave");

    // Bob, in `joined`, sees the change in his timeline too; carol sees both rooms' events.
    const sync = await server.http.get(
      `/_matrix/client/v3/sync?timeout=0&since=${encodeURIComponent(since)}`,
      carol.accessToken,
    );
    for (const roomId of [own, joined]) {
      const members = (sync.body.rooms.join[roomId].timeline.events as MemberEvent[]).filter(
        (e) => e.type === "m.room.member" && e.state_key === carol.userId,
      );
      expect(members.map((e) => e.content)).toEqual([
        { membership: "join", displayname: "carol", avatar_url: "mxc://localhost/c" },
        { membership: "join", displayname: "Carol Renamed", avatar_url: "mxc://localhost/c" },
      ]);
      expect(members[1]?.unsigned?.prev_content).toEqual(members[0]?.content);
    }
    expect(sync.body.rooms.join[left]).toBeUndefined();
    const bobSees = await server.http.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(joined)}/messages?dir=b&limit=1`,
      bob.accessToken,
    );
    expect(bobSees.body.chunk[0].content.displayname).toBe("Carol Renamed");
  });

  it("sends nothing when the value does not change", async () => {
    const dave = await registerUser(server.http, "dave");
    const roomId = await createRoom(bob, "public_chat");
    expect((await server.http.post(`/_matrix/client/v3/join/${roomId}`, {}, dave.accessToken)).status).toBe(
      200,
    );
    const latest = async () =>
      (
        await server.http.get(
          `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=1`,
          dave.accessToken,
        )
      ).body.chunk[0].event_id as string;
    const before = await latest();
    expect((await server.http.get(memberPath(roomId, dave.userId), dave.accessToken)).body).toEqual({
      membership: "join",
      displayname: "dave",
    });
    await server.http.put(profile(dave.userId, "displayname"), { displayname: "dave" }, dave.accessToken);
    expect(await latest()).toBe(before);
  });
});
