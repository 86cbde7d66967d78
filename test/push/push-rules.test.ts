import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
const enc = encodeURIComponent;
const RULES = "/_matrix/client/v3/pushrules";

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
});
afterAll(() => server.close());

const get = (path: string) => server.http.get(`${RULES}${path}`, alice.accessToken);
const put = (path: string, body: unknown) => server.http.put(`${RULES}${path}`, body, alice.accessToken);
const del = (path: string) => server.http.delete(`${RULES}${path}`, undefined, alice.accessToken);
const ids = async (kind: string) =>
  ((await get("/")).body.global[kind] as Array<{ rule_id: string }>).map((r) => r.rule_id);

describe("push rules API", () => {
  it("serves the default ruleset under global, and the same at /pushrules/global/", async () => {
    const all = await get("/");
    expect(all.status).toBe(200);
    expect(Object.keys(all.body.global).sort()).toEqual([
      "content",
      "override",
      "room",
      "sender",
      "underride",
    ]);
    expect(all.body.global.override[0]).toEqual({
      rule_id: ".m.rule.master",
      default: true,
      enabled: false,
      conditions: [],
      actions: [],
    });
    const mention = all.body.global.override.find(
      (r: { rule_id: string }) => r.rule_id === ".m.rule.is_user_mention",
    );
    expect(mention.conditions[0].value).toBe(alice.userId);
    expect((await get("/global/")).body).toEqual(all.body.global);
    expect((await server.http.get(RULES + "/")).status).toBe(401);
  });

  it("creates, reads, orders with before/after, updates and deletes user rules", async () => {
    const rule = (pattern: string) => ({ pattern, actions: ["notify"] });
    expect((await put("/global/content/cake", rule("cake"))).status).toBe(200);
    expect((await put("/global/content/tea", rule("tea"))).status).toBe(200);
    expect(await ids("content")).toEqual(["tea", "cake"]);
    expect((await put("/global/content/lie?before=cake", rule("cake*lie"))).status).toBe(200);
    expect((await put("/global/content/pie?after=cake", rule("pie"))).status).toBe(200);
    expect(await ids("content")).toEqual(["tea", "lie", "cake", "pie"]);

    const got = await get("/global/content/lie");
    expect(got.body).toEqual({
      rule_id: "lie",
      default: false,
      enabled: true,
      pattern: "cake*lie",
      actions: ["notify"],
    });

    const missing = await put("/global/content/x?before=nope", rule("x"));
    expect(missing.status).toBe(400);
    expect(missing.body.errcode).toBe("M_UNKNOWN");
    expect(
      (await put("/global/override/x?after=.m.rule.master", { actions: [], conditions: [] })).status,
    ).toBe(400);

    expect((await del("/global/content/tea")).status).toBe(200);
    const gone = await get("/global/content/tea");
    expect(gone.status).toBe(404);
    expect(gone.body.errcode).toBe("M_NOT_FOUND");
    expect((await del("/global/content/tea")).status).toBe(404);
  });

  it("names rooms and senders by their IDs in the path", async () => {
    const roomId = "!dj234r78wl45Gh4D:matrix.org";
    expect((await put(`/global/room/${enc(roomId)}`, { actions: [] })).status).toBe(200);
    expect((await put(`/global/sender/${enc("@spambot:matrix.org")}`, { actions: [] })).status).toBe(200);
    expect(await ids("room")).toEqual([roomId]);
    expect((await get(`/global/room/${enc(roomId)}`)).body).toEqual({
      rule_id: roomId,
      default: false,
      enabled: true,
      actions: [],
    });
    expect((await put("/global/room/not-a-room", { actions: [] })).status).toBe(400);
  });

  it.each([
    ["a rule_id starting with a dot", "/global/override/.m.rule.mine", { actions: [], conditions: [] }],
    ["a server-default rule", "/global/override/.m.rule.master", { actions: [], conditions: [] }],
    ["no actions", "/global/override/a", { conditions: [] }],
    ["an unknown action", "/global/override/a", { actions: ["explode"], conditions: [] }],
    ["a condition without kind", "/global/override/a", { actions: [], conditions: [{ key: "type" }] }],
    [
      "event_match without pattern",
      "/global/override/a",
      { actions: [], conditions: [{ kind: "event_match", key: "type" }] },
    ],
    ["a content rule without pattern", "/global/content/a", { actions: ["notify"] }],
    ["an unknown kind", "/global/everything/a", { actions: [] }],
  ])("refuses %s with 400 M_INVALID_PARAM", async (_name, path, body) => {
    const res = await put(path, body);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_INVALID_PARAM");
  });

  it("cannot delete server-default rules (404) but can disable them and change their actions", async () => {
    expect((await del("/global/override/.m.rule.suppress_notices")).status).toBe(404);
    expect((await get("/global/underride/.m.rule.message/enabled")).body).toEqual({ enabled: true });
    expect((await put("/global/underride/.m.rule.message/enabled", { enabled: false })).status).toBe(200);
    expect((await get("/global/underride/.m.rule.message/enabled")).body).toEqual({ enabled: false });
    expect(
      (
        await put("/global/underride/.m.rule.message/actions", {
          actions: ["notify", { set_tweak: "sound", value: "bing" }],
        })
      ).status,
    ).toBe(200);
    expect((await get("/global/underride/.m.rule.message/actions")).body).toEqual({
      actions: ["notify", { set_tweak: "sound", value: "bing" }],
    });
    const rule = (await get("/global/underride/.m.rule.message")).body;
    expect(rule).toMatchObject({ default: true, enabled: false });
    // Enabled and actions of a default rule are separate changes: both are kept.
    expect((await put("/global/underride/.m.rule.message/enabled", { enabled: true })).status).toBe(200);
    expect((await get("/global/underride/.m.rule.message")).body.actions).toHaveLength(2);

    expect((await get("/global/content/.m.rule.message/enabled")).status).toBe(404);
    expect((await put("/global/override/.m.rule.nope/enabled", { enabled: true })).status).toBe(404);
    expect((await put("/global/override/nope/actions", { actions: [] })).status).toBe(404);
    expect((await put("/global/underride/.m.rule.message/enabled", { enabled: "yes" })).body.errcode).toBe(
      "M_BAD_JSON",
    );
    expect((await put("/global/underride/.m.rule.message/actions", { actions: ["bad"] })).status).toBe(400);
  });

  it("disables and re-enables a user rule; an update keeps it disabled and in place", async () => {
    await put("/global/override/quiet", {
      actions: [],
      conditions: [{ kind: "event_match", key: "type", pattern: "m.x" }],
    });
    await put("/global/override/loud?after=quiet", { actions: ["notify"], conditions: [] });
    expect((await put("/global/override/quiet/enabled", { enabled: false })).status).toBe(200);
    await put("/global/override/quiet", { actions: ["notify"], conditions: [] });
    expect((await get("/global/override/quiet")).body).toMatchObject({ enabled: false, actions: ["notify"] });
    const order = await ids("override");
    expect(order.slice(0, 3)).toEqual([".m.rule.master", "quiet", "loud"]);
  });

  it("sends the merged ruleset as m.push_rules account data: on initial sync and after each change", async () => {
    const pushRulesIn = (res: { body: Record<string, any> }) =>
      res.body.account_data.events.find((e: { type: string }) => e.type === "m.push_rules");
    const initial = await server.http.get("/_matrix/client/v3/sync", alice.accessToken);
    const event = pushRulesIn(initial);
    expect(event?.content.global).toEqual((await get("/")).body.global);

    const idle = await server.http.get(
      `/_matrix/client/v3/sync?since=${initial.body.next_batch}`,
      alice.accessToken,
    );
    expect(pushRulesIn(idle)).toBeUndefined();

    const waiting = server.http.get(
      `/_matrix/client/v3/sync?since=${initial.body.next_batch}&timeout=10000`,
      alice.accessToken,
    );
    await new Promise((r) => setTimeout(r, 200));
    await put("/global/override/new", { actions: [], conditions: [] });
    const woken = await waiting;
    expect(pushRulesIn(woken)?.content.global.override[1].rule_id).toBe("new");

    const refused = await server.http.put(
      `/_matrix/client/v3/user/${enc(alice.userId)}/account_data/m.push_rules`,
      { global: {} },
      alice.accessToken,
    );
    expect(refused.status).toBe(405);
  });
});
