/**
 * State resolution benchmark: two forks of a room with 10,000 state events, 5,000 of their keys in
 * conflict (profile changes on both sides, kicks — power events — on one), resolved in one call.
 *
 *   npx tsx bench/state-res.ts [room version, default 12]
 *
 * Prints one JSON line: {"bench":"state-res","events":…,"conflicted":…,"ms":…,"events_per_s":…}.
 */

import type { JsonObject } from "../src/protocol/json.js";
import { resolveState } from "../src/protocol/state-res/resolve.js";
import { TestRoom } from "../src/protocol/testing/test-room.js";

const versionId = process.argv[2] ?? "12";
const STATE_EVENTS = 10_000;
const CONFLICTED = 5_000;
const KICKS = 500;

const alice = "@alice:a.example";
const bob = "@bob:a.example";
const room = new TestRoom(versionId, alice);
const member = (user: string, membership: string, sender = user, extra: JsonObject = {}) => ({
  type: "m.room.member",
  sender,
  state_key: user,
  content: { membership, ...extra },
});

room.send(member(alice, "join"));
const users: JsonObject = { [bob]: 50 };
if (!room.version.authorization.creatorsHaveInfinitePower) users[alice] = 100;
room.send({ type: "m.room.power_levels", sender: alice, state_key: "", content: { users } });
room.send({ type: "m.room.join_rules", sender: alice, state_key: "", content: { join_rule: "public" } });
room.send(member(bob, "join"));
const members: string[] = [];
while (room.state.size < STATE_EVENTS) {
  const user = `@u${members.length}:b.example`;
  members.push(user);
  room.add(room.build(member(user, "join")));
}

// Fork A: Bob kicks KICKS users, and half the conflicted users minus those change their profile.
// Fork B: the other half change theirs. Every touched key differs between the forks.
const start = room.snapshot();
const half = CONFLICTED / 2;
for (let i = 0; i < KICKS; i++) room.add(room.build(member(members[i]!, "leave", bob)));
for (let i = KICKS; i < half; i++)
  room.add(room.build(member(members[i]!, "join", members[i], { displayname: "A" })));
const forkA = room.stateIds();
room.restore(start);
for (let i = half; i < CONFLICTED; i++)
  room.add(room.build(member(members[i]!, "join", members[i], { displayname: "B" })));
const forkB = room.stateIds();

let conflicted = 0;
for (const [key, id] of forkA) if (forkB.get(key) !== id) conflicted++;

const runs: number[] = [];
let resolved: Map<string, string> | undefined;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  resolved = resolveState(room.version, [forkA, forkB], room.getEvent);
  runs.push(performance.now() - started);
}
runs.sort((a, b) => a - b);
const ms = runs[Math.floor(runs.length / 2)]!;
if (!resolved || resolved.size < STATE_EVENTS) throw new Error("resolution lost state");

console.log(
  JSON.stringify({
    bench: "state-res",
    room_version: versionId,
    events: room.events.size,
    state_events: STATE_EVENTS,
    conflicted,
    ms: Math.round(ms * 10) / 10,
    events_per_s: Math.round((room.events.size / ms) * 1000),
  }),
);
