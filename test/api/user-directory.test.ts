import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let searcher: TestUser;
beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  searcher = await registerUser(server.http, "searcher");
});
afterAll(() => server.close());

const search = (body: unknown, token = searcher.accessToken) =>
  server.http.post("/_matrix/client/v3/user_directory/search", body, token);

describe("POST /user_directory/search", () => {
  it("finds local users by user ID and by display name, case-insensitively, with their profile", async () => {
    const zed = await registerUser(server.http, "zed");
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
    const byId = await search({ search_term: "zed:local" });
    expect(byId.body.results.map((r: { user_id: string }) => r.user_id)).toEqual(["@zed:localhost"]);
  });

  it("omits display_name and avatar_url when unset", async () => {
    const plain = await registerUser(server.http, "plainjane");
    await server.http.put(
      `/_matrix/client/v3/profile/${plain.userId}/displayname`,
      { displayname: "" },
      plain.accessToken,
    );
    const res = await search({ search_term: "plainjane" });
    expect(res.body.results).toEqual([{ user_id: "@plainjane:localhost" }]);
  });

  it("applies the limit (default 10) and says when the list was cut", async () => {
    for (let i = 0; i < 12; i++) await registerUser(server.http, `crowd${i}`);
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
  });

  it("treats LIKE wildcards in the term literally", async () => {
    const res = await search({ search_term: "%" });
    expect(res.body).toEqual({ results: [], limited: false });
    expect((await search({ search_term: "_" })).body.results).toEqual([]);
  });

  it("excludes deactivated users", async () => {
    const gone = await registerUser(server.http, "vanishing", "pw-v");
    expect((await search({ search_term: "vanishing" })).body.results).toHaveLength(1);
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
