/**
 * matrix-js-sdk as the judge of relationships: an edit, a reaction and a thread reply, sent as a
 * client sends them, come back bundled on the original event and through the SDK's own relation and
 * thread list requests; a second identical reaction fails with the errcode Element looks for. No sync
 * loop (there is no /sync yet): events are sent and read with the SDK's HTTP layer.
 */
import * as sdk from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "../support/sdk.js";
import { registerUser, startTestServer, type TestServer } from "../support/server.js";
import { serverDatabases } from "../support/store-engines.js";

/** SQLite always; PostgreSQL too when the test run started a cluster (test/setup/postgres.ts). */
const engines = serverDatabases();

interface Relations {
  "m.replace"?: sdk.IEvent;
  "m.thread"?: { latest_event: sdk.IEvent; count: number; current_user_participated: boolean };
}

describe.each(engines)("relationships seen by matrix-js-sdk ($name)", (engine) => {
  let server: TestServer;
  let alice: sdk.MatrixClient;
  let bob: sdk.MatrixClient;
  let txn = 0;

  beforeAll(async () => {
    server = await startTestServer(["--open-registration", "--no-rate-limits"], {
      database: await engine.database(),
    });
    const client = async (name: string) => clientFor(server.url, await registerUser(server.http, name));
    alice = await client("alice");
    bob = await client("bob");
  });
  afterAll(() => server.close());

  /** PUT /send, straight through the SDK's authenticated HTTP layer (its sendEvent wants a synced room). */
  const send = async (client: sdk.MatrixClient, roomId: string, type: string, content: sdk.IContent) => {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/sdk${++txn}`;
    const res = await client.http.authedRequest<sdk.ISendEventResponse>(
      sdk.Method.Put,
      path,
      undefined,
      content,
    );
    return res.event_id;
  };

  it("bundles an edit and a thread summary and lists reactions and threads", async () => {
    const { room_id: roomId } = await alice.createRoom({ preset: sdk.Preset.PublicChat });
    await bob.joinRoom(roomId);
    const original = await send(alice, roomId, "m.room.message", { msgtype: "m.text", body: "Lunch at 12?" });
    const editId = await send(alice, roomId, "m.room.message", {
      msgtype: "m.text",
      body: "* Lunch at 1?",
      "m.new_content": { msgtype: "m.text", body: "Lunch at 1?" },
      "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: original },
    });
    const reaction = {
      "m.relates_to": { rel_type: sdk.RelationType.Annotation, event_id: original, key: "👍" },
    };
    const reactionId = await send(bob, roomId, sdk.EventType.Reaction, reaction);
    const duplicate = await send(bob, roomId, sdk.EventType.Reaction, reaction).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(duplicate).toBeInstanceOf(sdk.MatrixError);
    expect((duplicate as sdk.MatrixError).errcode).toBe("M_DUPLICATE_ANNOTATION");
    expect((duplicate as sdk.MatrixError).httpStatus).toBe(400);
    const replyId = await send(bob, roomId, "m.room.message", {
      msgtype: "m.text",
      body: "1 works",
      "m.relates_to": { rel_type: sdk.THREAD_RELATION_TYPE.name, event_id: original },
    });

    // The original, fetched as the SDK fetches it, carries the latest edit and the thread summary.
    const event = new sdk.MatrixEvent(await bob.fetchRoomEvent(roomId, original));
    expect(event.getContent().body).toBe("Lunch at 12?");
    const replace = event.getServerAggregatedRelation<sdk.IEvent>(sdk.RelationType.Replace);
    expect(replace?.event_id).toBe(editId);
    expect(replace?.content["m.new_content"]).toEqual({ msgtype: "m.text", body: "Lunch at 1?" });
    const thread = event.getServerAggregatedRelation<NonNullable<Relations["m.thread"]>>(
      sdk.THREAD_RELATION_TYPE.name,
    );
    expect(thread).toMatchObject({ count: 1, current_user_participated: true });
    expect(thread?.latest_event.event_id).toBe(replyId);

    // The SDK's relations helper: the edit history, the reactions with their keys.
    const edits = await alice.relations(roomId, original, sdk.RelationType.Replace);
    expect(edits.originalEvent?.getId()).toBe(original);
    expect(edits.events.map((e) => e.getId())).toEqual([editId]);
    const reactions = await alice.relations(
      roomId,
      original,
      sdk.RelationType.Annotation,
      sdk.EventType.Reaction,
    );
    expect(reactions.events.map((e) => [e.getId(), e.getRelation()?.key])).toEqual([[reactionId, "👍"]]);
    expect(reactions.nextBatch ?? undefined).toBeUndefined();

    // The thread's events and the room's thread list, as the SDK's thread panel requests them; the
    // SDK picks the stable endpoints from /versions as its startClient would.
    const support = await alice.doesServerSupportThread();
    expect(support.list).toBe(sdk.FeatureSupport.Stable);
    sdk.Thread.setServerSideListSupport(support.list);
    sdk.Thread.setServerSideFwdPaginationSupport(support.fwdPagination);
    const inThread = await alice.fetchRelations(roomId, original, sdk.THREAD_RELATION_TYPE.name, null, {
      dir: sdk.Direction.Backward,
      limit: 10,
      recurse: true,
    });
    expect(inThread.chunk.map((e) => e.event_id)).toEqual([replyId]);
    expect((inThread as { recursion_depth?: number }).recursion_depth).toBe(3);
    const threads = await alice.createThreadListMessagesRequest(
      roomId,
      null,
      10,
      sdk.Direction.Backward,
      sdk.ThreadFilterType.My,
    );
    expect(threads.chunk.map((e) => e.event_id)).toEqual([original]);
    const listed = new sdk.MatrixEvent(threads.chunk[0]);
    expect(
      listed.getServerAggregatedRelation<NonNullable<Relations["m.thread"]>>(sdk.THREAD_RELATION_TYPE.name)
        ?.count,
    ).toBe(1);
  });
});
