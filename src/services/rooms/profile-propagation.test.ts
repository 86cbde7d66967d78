import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../adapters/sqlite/open.js";
import type { Store } from "../../ports/store.js";
import type { Pdu } from "../../protocol/pdu.js";
import type { EventCreator, EventDraft } from "./event-creator.js";
import { ProfilePropagation } from "./profile-propagation.js";

let store: Store;
let seq = 0;
async function member(roomId: string, membership: string, content: object = {}) {
  const base = { room_id: roomId, sender: "@u:test", depth: 1, origin_server_ts: 1, prev_events: [] };
  if (!(await store.rooms.getRoom(roomId))) {
    await store.rooms.persistEvent({
      eventId: `$c${++seq}`,
      pdu: { ...base, type: "m.room.create", state_key: "", content: {} } as unknown as Pdu,
      isState: true,
      prevEventIds: [],
      newRoom: { roomId, version: "11", creator: "@u:test", createdTs: 1 },
    });
  }
  await store.rooms.persistEvent({
    eventId: `$m${++seq}`,
    pdu: {
      ...base,
      type: "m.room.member",
      state_key: "@u:test",
      content: { membership, ...content },
    } as unknown as Pdu,
    isState: true,
    prevEventIds: [],
  });
}

beforeAll(async () => {
  store = await openSqliteStore(":memory:");
  await member("!a:test", "join", { displayname: "old", reason: "hello", "org.example.custom": 1 });
  await member("!broken:test", "join", { displayname: "old" });
  await member("!c:test", "join", { displayname: "old", avatar_url: "mxc://test/a" });
  await member("!left:test", "join", { displayname: "old" });
  await member("!left:test", "leave");
});
afterAll(() => store.close());

describe("ProfilePropagation", () => {
  it("sends a join with the new profile and the other content keys to each joined room, past failures", async () => {
    const sent: EventDraft[] = [];
    const warnings: string[] = [];
    const events = {
      create: async (draft: EventDraft) => {
        if (draft.roomId === "!broken:test") throw new Error("refused");
        sent.push(draft);
        return { eventId: "$x", streamOrdering: 0, pdu: {} as Pdu };
      },
    } as unknown as EventCreator;
    const propagation = new ProfilePropagation(store.rooms, events, (message) => warnings.push(message));
    await propagation.propagate("@u:test", { displayname: "new" });
    expect(sent.map((d) => [d.roomId, d.content]).sort()).toEqual([
      ["!a:test", { membership: "join", displayname: "new", "org.example.custom": 1 }],
      ["!c:test", { membership: "join", displayname: "new" }],
    ]);
    expect(sent.every((d) => d.type === "m.room.member" && d.stateKey === "@u:test")).toBe(true);
    expect(warnings).toEqual(["profile change of @u:test not sent to !broken:test"]);
  });
});
