import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let searcher: TestUser;
/** A private room of the searcher's, a publicly joinable room and a published invite-only room. */
let shared: string;
let lobby: string;
let listed: string;
let host: TestUser;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  searcher = await registerUser(server.http, "searcher");
  shared = await createRoom(searcher, { preset: "private_chat" });
  host = await registerUser(server.http, "host");
  lobby = await createRoom(host, { preset: "public_chat" });
  listed = await createRoom(host, { preset: "private_chat", visibility: "public" });
});
afterAll(() => server.close());

const search = (body: unknown, token = searcher.accessToken) =>
  server.http.post("/_matrix/client/v3/user_directory/search", body, token);
const found = async (term: string, token = searcher.accessToken) =>
  ((await search({ search_term: term, limit: 50 }, token)).body.results as Array<{ user_id: string }>).map(
    (r) => r.user_id,
  );

async function createRoom(owner: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await server.http.post("/_matrix/client/v3/createRoom", body, owner.accessToken);
  expect(res.status).toBe(200);
  return res.body.room_id as string;
}

/** Joins `user` to `roomId`, invited by `inviter` first when given. */
async function join(user: TestUser, roomId: string, inviter?: TestUser) {
  if (inviter) {
    const invite = await server.http.post(
      `/_matrix/client/v3/rooms/${roomId}/invite`,
      { user_id: user.userId },
      inviter.accessToken,
    );
    expect(invite.status).toBe(200);
  }
  const res = await server.http.post(`/_matrix/client/v3/join/${roomId}`, {}, user.accessToken);
  expect(res.status).toBe(200);
}

describe("POST /user_directory/search", () => {
  it("finds users sharing a room by user ID and display name, case-insensitively, with their profile", async () => {
    const zed = await registerUser(server.http, "zed");
    await join(zed, shared, searcher);
    await server.http.put(
      `/_matrix/client/v3/profile/${zed.userId}/displayname`,
      { displayname: "Zebra Crossing" },
      zed.accessToken,
    );
    await server.http.put(
      `/_matrix/client/v3/profile/${zed.userId}/avatar_url`,
      { avatar_url: "mxc://localhost/zebra" },
      zed.accessToken,
    );
    const byName = await search({ search_term: "ZEBRA" });
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual({
      results: [
        { user_id: "@zed:localhost", display_name: "Zebra Crossing", avatar_url: "mxc://localhost/zebra" },
      ],
      limited: false,
    });
    expect(await found("zed:local")).toEqual(["@zed:localhost"]);
  });

  it("does not find a user who shares no room and is in no public room", async () => {
    const loner = await registerUser(server.http, "loner");
    expect(await found("loner")).toEqual([]);
    // Nor one in a private room of someone else's, nor one who only was invited, nor one who left.
    const other = await registerUser(server.http, "otherhost");
    await join(loner, await createRoom(other, { preset: "private_chat" }), other);
    const invited = await registerUser(server.http, "onlyinvited");
    await server.http.post(
      `/_matrix/client/v3/rooms/${shared}/invite`,
      { user_id: invited.userId },
      searcher.accessToken,
    );
    const leaver = await registerUser(server.http, "leaver");
    await join(leaver, shared, searcher);
    expect(await found("leaver")).toEqual(["@leaver:localhost"]);
    await server.http.post(`/_matrix/client/v3/rooms/${shared}/leave`, {}, leaver.accessToken);
    expect(await found("loner")).toEqual([]);
    expect(await found("onlyinvited")).toEqual([]);
    expect(await found("leaver")).toEqual([]);
    // The loner still finds themselves, and the searcher through the public room once both are in it.
    expect(await found("loner", loner.accessToken)).toEqual(["@loner:localhost"]);
    expect(await found("searcher", loner.accessToken)).toEqual([]);
    await join(searcher, lobby);
    expect(await found("searcher", loner.accessToken)).toEqual(["@searcher:localhost"]);
  });

  it("finds users in a publicly joinable room and in a room published in the directory", async () => {
    const walker = await registerUser(server.http, "walkin");
    await join(walker, lobby);
    const guest = await registerUser(server.http, "listedguest");
    expect(await found("walkin")).toEqual(["@walkin:localhost"]);
    expect(await found("listedguest")).toEqual([]);
    // Invite-only, but published: its members are public.
    await join(guest, listed, host);
    expect(await found("listedguest")).toEqual(["@listedguest:localhost"]);
  });

  it("matches the display name a user has in a room's member event", async () => {
    const nick = await registerUser(server.http, "nicknamed");
    await join(nick, shared, searcher);
    const set = await server.http.put(
      `/_matrix/client/v3/rooms/${shared}/state/m.room.member/${nick.userId}`,
      { membership: "join", displayname: "Captain Roomname" },
      nick.accessToken,
    );
    expect(set.status).toBe(200);
    const res = await search({ search_term: "captain" });
    // The result carries the user's profile; the per-room name only made them match.
    expect(res.body.results).toEqual([{ user_id: "@nicknamed:localhost", display_name: "nicknamed" }]);
  });

  it("omits display_name and avatar_url when unset", async () => {
    const plain = await registerUser(server.http, "plainjane");
    await join(plain, shared, searcher);
    await server.http.put(
      `/_matrix/client/v3/profile/${plain.userId}/displayname`,
      { displayname: "" },
      plain.accessToken,
    );
    const res = await search({ search_term: "plainjane" });
    expect(res.body.results).toEqual([{ user_id: "@plainjane:localhost" }]);
  });

  it("applies the limit (default 10, at most 50) and says when the list was cut", async () => {
    for (let i = 0; i < 12; i++) await join(await registerUser(server.http, `crowd${i}`), lobby);
    const byDefault = await search({ search_term: "crowd" });
    expect(byDefault.body.results).toHaveLength(10);
    expect(byDefault.body.limited).toBe(true);
    const three = await search({ search_term: "crowd", limit: 3 });
    expect(three.body.results).toHaveLength(3);
    expect(three.body.limited).toBe(true);
    const all = await search({ search_term: "crowd", limit: 20 });
    expect(all.body.results).toHaveLength(12);
    expect(all.body.limited).toBe(false);
    const none = await search({ search_term: "no-such-person" });
    expect(none.body).toEqual({ results: [], limited: false });
    for (let i = 12; i < 52; i++) await join(await registerUser(server.http, `crowd${i}`), lobby);
    const capped = await search({ search_term: "crowd", limit: 100 });
    expect(capped.body.results).toHaveLength(50);
    expect(capped.body.limited).toBe(true);
  });

  it("treats LIKE wildcards in the term literally", async () => {
    const res = await search({ search_term: "%" });
    expect(res.body).toEqual({ results: [], limited: false });
    expect((await search({ search_term: "_" })).body.results).toEqual([]);
  });

  it("excludes deactivated users", async () => {
    const gone = await registerUser(server.http, "vanishing", "pw-v");
    await join(gone, lobby);
    await join(gone, shared, searcher);
    expect(await found("vanishing")).toEqual(["@vanishing:localhost"]);
    await server.http.post(
      "/_matrix/client/v3/account/deactivate",
      {
        auth: {
          type: "m.login.password",
          identifier: { type: "m.id.user", user: "vanishing" },
          password: "pw-v",
        },
      },
      gone.accessToken,
    );
    expect((await search({ search_term: "vanishing" })).body).toEqual({ results: [], limited: false });
  });

  it("validates the body and needs an access token", async () => {
    const missing = await search({});
    expect(missing.status).toBe(400);
    expect(missing.body.errcode).toBe("M_BAD_JSON");
    expect(missing.body.error).toContain("search_term");
    expect((await search({ search_term: "a", limit: "5" })).body.errcode).toBe("M_BAD_JSON");
    expect((await search({ search_term: "a", limit: -1 })).body.errcode).toBe("M_BAD_JSON");
    const notJson = await server.http.request("POST", "/_matrix/client/v3/user_directory/search", {
      token: searcher.accessToken,
      rawBody: "search",
    });
    expect(notJson.body.errcode).toBe("M_NOT_JSON");
    const anonymous = await server.http.post("/_matrix/client/v3/user_directory/search", {
      search_term: "zed",
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("user_directory.search_all_users", () => {
  let everyone: TestServer;
  beforeAll(async () => {
    everyone = await startTestServer([
      "--open-registration",
      "--no-rate-limits",
      "--user-directory-search-all-users",
    ]);
  });
  afterAll(() => everyone.close());

  it("finds every active local user, rooms or not", async () => {
    const me = await registerUser(everyone.http, "me");
    await registerUser(everyone.http, "roomless");
    const res = await everyone.http.post(
      "/_matrix/client/v3/user_directory/search",
      { search_term: "roomless" },
      me.accessToken,
    );
    expect(res.body).toEqual({
      results: [{ user_id: "@roomless:localhost", display_name: "roomless" }],
      limited: false,
    });
  });
});
