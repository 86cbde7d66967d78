/**
 * Relationships over HTTP (spec: client-server-api "Forming relationships between events",
 * "Aggregations of child events", "Relationships API", event replacements, annotations, threading,
 * reference relations).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const enc = encodeURIComponent;
let txn = 0;

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  carol = await registerUser(server.http, "carol");
});
afterAll(() => server.close());

/** A room alice created and the given users joined. */
async function roomWith(users: TestUser[], body: Record<string, unknown> = {}) {
  const res = await server.http.post(
    "/_matrix/client/v3/createRoom",
    { preset: "public_chat", ...body },
    alice.accessToken,
  );
  expect(res.status).toBe(200);
  const roomId = res.body.room_id as string;
  for (const u of users) {
    const join = await server.http.post(`/_matrix/client/v3/join/${enc(roomId)}`, {}, u.accessToken);
    expect(join.status).toBe(200);
  }
  return roomId;
}

async function sendRaw(roomId: string, user: TestUser, type: string, content: Record<string, unknown>) {
  return server.http.put(
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/t${++txn}`,
    content,
    user.accessToken,
  );
}

async function send(roomId: string, user: TestUser, type: string, content: Record<string, unknown>) {
  const res = await sendRaw(roomId, user, type, content);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.event_id as string;
}

const text = (roomId: string, user: TestUser, body: string, extra: Record<string, unknown> = {}) =>
  send(roomId, user, "m.room.message", { msgtype: "m.text", body, ...extra });

const edit = (roomId: string, user: TestUser, target: string, body: string) =>
  send(roomId, user, "m.room.message", {
    msgtype: "m.text",
    body: `* ${body}`,
    "m.new_content": { msgtype: "m.text", body },
    "m.relates_to": { rel_type: "m.replace", event_id: target },
  });

const threadReply = (roomId: string, user: TestUser, root: string, body: string) =>
  text(roomId, user, body, { "m.relates_to": { rel_type: "m.thread", event_id: root } });

const react = (roomId: string, user: TestUser, target: string, key: string) =>
  sendRaw(roomId, user, "m.reaction", {
    "m.relates_to": { rel_type: "m.annotation", event_id: target, key },
  });

async function getEvent(roomId: string, eventId: string, user = alice) {
  const res = await server.http.get(
    `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`,
    user.accessToken,
  );
  expect(res.status).toBe(200);
  return res.body;
}

async function redact(roomId: string, user: TestUser, eventId: string) {
  const res = await server.http.put(
    `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/r${++txn}`,
    {},
    user.accessToken,
  );
  expect(res.status).toBe(200);
}

const ids = (body: Record<string, unknown>) =>
  (body.chunk as Array<{ event_id: string }>).map((e) => e.event_id);

const relationsPath = (roomId: string, eventId: string, rest = "", query = "") =>
  `/_matrix/client/v1/rooms/${enc(roomId)}/relations/${enc(eventId)}${rest}${query ? `?${query}` : ""}`;

describe("edits (m.replace)", () => {
  it("bundles the whole latest valid edit and leaves the original's content alone", async () => {
    const roomId = await roomWith([bob]);
    const original = await text(roomId, alice, "I like cake");
    await edit(roomId, alice, original, "I like chocolate cake");
    const latest = await edit(roomId, alice, original, "I really like chocolate cake");
    // Invalid edits: another sender, another type, no m.new_content.
    await edit(roomId, bob, original, "bob was here");
    await send(roomId, alice, "m.sticker", {
      body: "x",
      "m.new_content": { body: "x" },
      "m.relates_to": { rel_type: "m.replace", event_id: original },
    });
    await text(roomId, alice, "* no new content", {
      "m.relates_to": { rel_type: "m.replace", event_id: original },
    });

    const event = await getEvent(roomId, original, bob);
    expect(event.content.body).toBe("I like cake");
    const replace = event.unsigned["m.relations"]["m.replace"];
    expect(replace.event_id).toBe(latest);
    expect(replace.sender).toBe(alice.userId);
    expect(replace.type).toBe("m.room.message");
    expect(replace.content["m.new_content"].body).toBe("I really like chocolate cake");
    expect(replace.content["m.relates_to"]).toEqual({ rel_type: "m.replace", event_id: original });
    expect(typeof replace.origin_server_ts).toBe("number");

    // The same bundle on /messages and /context.
    const messages = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`,
      bob.accessToken,
    );
    const fromMessages = messages.body.chunk.find((e: { event_id: string }) => e.event_id === original);
    expect(fromMessages.unsigned["m.relations"]["m.replace"].event_id).toBe(latest);
    const context = await server.http.get(
      `/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(original)}?limit=4`,
      bob.accessToken,
    );
    expect(context.body.event.unsigned["m.relations"]["m.replace"].event_id).toBe(latest);
    // An edit is not itself edited: no bundle on the edits.
    for (const e of context.body.events_after)
      expect(e.unsigned["m.relations"]?.["m.replace"]).toBeUndefined();
  });

  it("falls back to the previous edit when the latest is redacted, and bundles nothing on a redacted original", async () => {
    const roomId = await roomWith([]);
    const original = await text(roomId, alice, "v1");
    const first = await edit(roomId, alice, original, "v2");
    const second = await edit(roomId, alice, original, "v3");
    expect((await getEvent(roomId, original)).unsigned["m.relations"]["m.replace"].event_id).toBe(second);
    await redact(roomId, alice, second);
    expect((await getEvent(roomId, original)).unsigned["m.relations"]["m.replace"].event_id).toBe(first);
    const thread = await threadReply(roomId, alice, original, "in a thread");
    await redact(roomId, alice, original);
    const redacted = await getEvent(roomId, original);
    expect(redacted.content).toEqual({});
    expect(redacted.unsigned["m.relations"]["m.replace"]).toBeUndefined();
    // Only m.replace is dropped from a redacted parent; its thread remains.
    expect(redacted.unsigned["m.relations"]["m.thread"].latest_event.event_id).toBe(thread);
  });

  it("ignores an edit of an edit", async () => {
    const roomId = await roomWith([]);
    const original = await text(roomId, alice, "a");
    const firstEdit = await edit(roomId, alice, original, "b");
    await edit(roomId, alice, firstEdit, "c");
    expect((await getEvent(roomId, firstEdit)).unsigned["m.relations"]).toBeUndefined();
  });
});

describe("reactions (m.annotation)", () => {
  it("refuses a duplicate annotation with M_DUPLICATE_ANNOTATION until the first is redacted", async () => {
    const roomId = await roomWith([bob]);
    const target = await text(roomId, bob, "react to me");
    const first = await react(roomId, alice, target, "👍");
    expect(first.status).toBe(200);
    const again = await react(roomId, alice, target, "👍");
    expect(again.status).toBe(400);
    expect(again.body.errcode).toBe("M_DUPLICATE_ANNOTATION");
    expect((await react(roomId, alice, target, "👎")).status).toBe(200);
    expect((await react(roomId, bob, target, "👍")).status).toBe(200);
    // Same key, another event type: not a duplicate.
    const other = await sendRaw(roomId, alice, "org.example.vote", {
      "m.relates_to": { rel_type: "m.annotation", event_id: target, key: "👍" },
    });
    expect(other.status).toBe(200);
    await redact(roomId, alice, first.body.event_id);
    expect((await react(roomId, alice, target, "👍")).status).toBe(200);
    // The server does not aggregate annotations.
    expect((await getEvent(roomId, target)).unsigned["m.relations"]).toBeUndefined();
  });

  it("lets only one of several concurrent identical reactions land", async () => {
    const roomId = await roomWith([]);
    const target = await text(roomId, alice, "race");
    const results = await Promise.all(Array.from({ length: 8 }, () => react(roomId, alice, target, "🏁")));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(r.body.errcode).toBe("M_DUPLICATE_ANNOTATION");
    const children = await server.http.get(relationsPath(roomId, target, "/m.annotation"), alice.accessToken);
    expect(children.body.chunk).toHaveLength(1);
  });

  it("refuses a relation to an event of another room", async () => {
    const roomA = await roomWith([]);
    const roomB = await roomWith([]);
    const inA = await text(roomA, alice, "here");
    const res = await react(roomB, alice, inA, "👍");
    expect(res.status).toBe(400);
  });
});

describe("threads (m.thread)", () => {
  it("bundles a thread summary with the latest event, count and participation", async () => {
    const roomId = await roomWith([bob, carol]);
    const root = await text(roomId, alice, "root");
    await threadReply(roomId, bob, root, "one");
    const latest = await threadReply(roomId, bob, root, "two");
    const editOfLatest = await edit(roomId, bob, latest, "two, edited");
    for (const [user, participated] of [
      [alice, true],
      [bob, true],
      [carol, false],
    ] as const) {
      const summary = (await getEvent(roomId, root, user)).unsigned["m.relations"]["m.thread"];
      expect(summary.count).toBe(2);
      expect(summary.current_user_participated).toBe(participated);
      expect(summary.latest_event.event_id).toBe(latest);
      expect(summary.latest_event.content.body).toBe("two");
      // The latest event carries its own bundle.
      expect(summary.latest_event.unsigned["m.relations"]["m.replace"].event_id).toBe(editOfLatest);
    }
  });

  it("refuses a thread off an event that is itself a relation (400 M_UNKNOWN)", async () => {
    const roomId = await roomWith([]);
    const root = await text(roomId, alice, "root");
    const reply = await threadReply(roomId, alice, root, "reply");
    const res = await sendRaw(roomId, alice, "m.room.message", {
      msgtype: "m.text",
      body: "nested",
      "m.relates_to": { rel_type: "m.thread", event_id: reply },
    });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_UNKNOWN");
  });

  it("lists threads by latest activity, filtered by participation, page by page", async () => {
    const roomId = await roomWith([bob, carol]);
    const a = await text(roomId, alice, "thread A");
    const b = await text(roomId, bob, "thread B");
    const c = await text(roomId, alice, "thread C");
    await text(roomId, alice, "not a thread");
    await threadReply(roomId, alice, a, "a1");
    await threadReply(roomId, bob, b, "b1");
    await threadReply(roomId, alice, c, "c1");
    await threadReply(roomId, carol, a, "a2"); // A is now the most recently active
    const list = async (query: string, user = alice) => {
      const res = await server.http.get(
        `/_matrix/client/v1/rooms/${enc(roomId)}/threads?${query}`,
        user.accessToken,
      );
      expect(res.status).toBe(200);
      return res.body;
    };
    const all = await list("include=all");
    expect(all.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([a, c, b]);
    expect(all.next_batch).toBeUndefined();
    expect(all.chunk[0].unsigned["m.relations"]["m.thread"].count).toBe(2);

    const pages: string[] = [];
    let from: string | undefined;
    do {
      const page = await list(`limit=1${from ? `&from=${enc(from)}` : ""}`);
      pages.push(...page.chunk.map((e: { event_id: string }) => e.event_id));
      from = page.next_batch;
    } while (from);
    expect(pages).toEqual([a, c, b]);

    // carol replied only in A; bob started B; alice started A and C.
    expect(
      (await list("include=participated", carol)).chunk.map((e: { event_id: string }) => e.event_id),
    ).toEqual([a]);
    expect(
      (await list("include=participated", bob)).chunk.map((e: { event_id: string }) => e.event_id),
    ).toEqual([b]);
    expect(
      (await list("include=participated", alice)).chunk.map((e: { event_id: string }) => e.event_id),
    ).toEqual([a, c]);

    const bad = await server.http.get(
      `/_matrix/client/v1/rooms/${enc(roomId)}/threads?include=some`,
      alice.accessToken,
    );
    expect(bad.status).toBe(400);
  });
});

describe("the relations API", () => {
  it("pages through children both ways with stable tokens", async () => {
    const roomId = await roomWith([]);
    const parent = await text(roomId, alice, "parent");
    const children: string[] = [];
    for (let i = 0; i < 7; i++) {
      children.push(
        await send(roomId, alice, "m.room.message", {
          msgtype: "m.text",
          body: `ref ${i}`,
          "m.relates_to": { rel_type: "m.reference", event_id: parent },
        }),
      );
    }
    await text(roomId, alice, "unrelated");

    const backwards: string[][] = [];
    const tokens: string[] = [];
    let from: string | undefined;
    for (;;) {
      const res = await server.http.get(
        relationsPath(roomId, parent, "", `limit=3${from ? `&from=${enc(from)}` : ""}`),
        alice.accessToken,
      );
      expect(res.status).toBe(200);
      backwards.push(ids(res.body));
      if (from) expect(res.body.prev_batch).toBe(from);
      else expect(res.body.prev_batch).toBeUndefined();
      if (!res.body.next_batch) break;
      tokens.push(res.body.next_batch);
      from = res.body.next_batch;
    }
    const newestFirst = [...children].reverse();
    expect(backwards).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);

    // from page 1's token to page 2's token is page 2; the other way round is empty.
    const range = await server.http.get(
      relationsPath(
        roomId,
        parent,
        "",
        `limit=10&from=${enc(tokens[0] as string)}&to=${enc(tokens[1] as string)}`,
      ),
      alice.accessToken,
    );
    expect(ids(range.body)).toEqual(newestFirst.slice(3, 6));
    const empty = await server.http.get(
      relationsPath(roomId, parent, "", `from=${enc(tokens[1] as string)}&to=${enc(tokens[0] as string)}`),
      alice.accessToken,
    );
    expect(empty.body.chunk).toEqual([]);

    const forwards = await server.http.get(
      relationsPath(roomId, parent, "", "dir=f&limit=4"),
      alice.accessToken,
    );
    expect(ids(forwards.body)).toEqual(children.slice(0, 4));
    const rest = await server.http.get(
      relationsPath(roomId, parent, "", `dir=f&limit=4&from=${enc(forwards.body.next_batch)}`),
      alice.accessToken,
    );
    expect(ids(rest.body)).toEqual(children.slice(4));
    expect(rest.body.next_batch).toBeUndefined();

    // Filters by relation type and event type; the parent bundles its references.
    const byType = await server.http.get(
      relationsPath(roomId, parent, "/m.reference/m.room.message", "limit=20"),
      alice.accessToken,
    );
    expect(byType.body.chunk).toHaveLength(7);
    const none = await server.http.get(
      relationsPath(roomId, parent, "/m.reference/m.sticker"),
      alice.accessToken,
    );
    expect(none.body.chunk).toEqual([]);
    const otherRel = await server.http.get(relationsPath(roomId, parent, "/m.thread"), alice.accessToken);
    expect(otherRel.body.chunk).toEqual([]);
    expect((await getEvent(roomId, parent)).unsigned["m.relations"]["m.reference"]).toEqual({
      chunk: children.map((event_id) => ({ event_id })),
    });

    const badToken = await server.http.get(
      relationsPath(roomId, parent, "", "from=nonsense"),
      alice.accessToken,
    );
    expect(badToken.status).toBe(400);
    expect(badToken.body.errcode).toBe("M_INVALID_PARAM");
  });

  it("takes a /sync next_batch as from: paging back starts at the last event the client has", async () => {
    const roomId = await roomWith([]);
    const parent = await text(roomId, alice, "parent");
    const seen = await threadReply(roomId, alice, parent, "synced");
    const synced = await server.http.get("/_matrix/client/v3/sync?timeout=0", alice.accessToken);
    expect(synced.status).toBe(200);
    await threadReply(roomId, alice, parent, "after the sync");
    const back = await server.http.get(
      relationsPath(roomId, parent, "", `from=${enc(synced.body.next_batch)}`),
      alice.accessToken,
    );
    expect(ids(back.body)).toEqual([seen]);
  });

  it("recurses into children of children when asked, and says how deep", async () => {
    const roomId = await roomWith([bob]);
    const root = await text(roomId, alice, "root");
    const reply = await threadReply(roomId, bob, root, "reply");
    const reaction = (await react(roomId, alice, reply, "👀")).body.event_id as string;
    const replyEdit = await edit(roomId, bob, reply, "reply, edited");

    const direct = await server.http.get(relationsPath(roomId, root), alice.accessToken);
    expect(ids(direct.body)).toEqual([reply]);
    expect(direct.body.recursion_depth).toBeUndefined();
    const notRecursing = await server.http.get(
      relationsPath(roomId, root, "", "recurse=false"),
      alice.accessToken,
    );
    expect(ids(notRecursing.body)).toEqual([reply]);
    expect(notRecursing.body.recursion_depth).toBe(1);

    const recursive = await server.http.get(
      relationsPath(roomId, root, "", "recurse=true&limit=10"),
      alice.accessToken,
    );
    expect(ids(recursive.body)).toEqual([replyEdit, reaction, reply]);
    expect(recursive.body.recursion_depth).toBe(3);
    // The filter applies to every link: the reaction hangs off a thread event, so m.annotation finds
    // nothing under the root, and m.thread only the reply.
    const annotations = await server.http.get(
      relationsPath(roomId, root, "/m.annotation", "recurse=true"),
      alice.accessToken,
    );
    expect(annotations.body.chunk).toEqual([]);
    const thread = await server.http.get(
      relationsPath(roomId, root, "/m.thread", "recurse=true"),
      alice.accessToken,
    );
    expect(ids(thread.body)).toEqual([reply]);
  });

  it("hides children the user may not see and answers 404 for a parent they may not see", async () => {
    // history_visibility "shared" (the public_chat default): bob sees what happened while he was in
    // the room or before he joined, not what happens after he left.
    const roomId = await roomWith([bob]);
    const parent = await text(roomId, alice, "seen by bob");
    const seenReply = await threadReply(roomId, alice, parent, "bob saw this");
    const left = await server.http.post(`/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {}, bob.accessToken);
    expect(left.status).toBe(200);
    const unseenReply = await threadReply(roomId, alice, parent, "after bob left");
    await edit(roomId, alice, parent, "edited after bob left");
    const afterLeaving = await text(roomId, alice, "not for bob");

    const forBob = await server.http.get(relationsPath(roomId, parent), bob.accessToken);
    expect(forBob.status).toBe(200);
    expect(forBob.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([seenReply]);
    const bundle = (await getEvent(roomId, parent, bob)).unsigned["m.relations"];
    expect(bundle["m.replace"]).toBeUndefined();
    expect(bundle["m.thread"]).toMatchObject({ count: 1, current_user_participated: false });
    expect(bundle["m.thread"].latest_event.event_id).toBe(seenReply);
    // Alice sees everything.
    const forAlice = (await getEvent(roomId, parent)).unsigned["m.relations"];
    expect(forAlice["m.thread"].latest_event.event_id).toBe(unseenReply);
    expect(forAlice["m.replace"]).toBeDefined();

    const unseen = await server.http.get(relationsPath(roomId, afterLeaving), bob.accessToken);
    expect(unseen.status).toBe(404);
    expect(unseen.body.errcode).toBe("M_NOT_FOUND");
    const stranger = await server.http.get(relationsPath(roomId, parent), carol.accessToken);
    expect(stranger.status).toBe(404);
    const threads = await server.http.get(
      `/_matrix/client/v1/rooms/${enc(roomId)}/threads`,
      carol.accessToken,
    );
    expect(threads.status).toBe(403);
    const bobThreads = await server.http.get(
      `/_matrix/client/v1/rooms/${enc(roomId)}/threads`,
      bob.accessToken,
    );
    expect(bobThreads.body.chunk[0].unsigned["m.relations"]["m.thread"].latest_event.event_id).toBe(
      seenReply,
    );
    const missing = await server.http.get(relationsPath(roomId, "$nope"), alice.accessToken);
    expect(missing.status).toBe(404);
  });
});
