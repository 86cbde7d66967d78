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
