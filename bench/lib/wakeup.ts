/**
 * The long-poll wake-up measurement shared by bench/sync (one server) and bench/wakeup-ab (two
 * servers, alternating): a watcher long-polls /sync, another user sends a message into their room,
 * and the time from the send to the watcher's response is one sample.
 */
import { type BenchUser, call, createRoom, joinRoom, register, sendMessage } from "./homeserver.js";

export interface WakeupRoom {
  base: string;
  watcher: BenchUser;
  sender: BenchUser;
  roomId: string;
  since: string;
}

/** Registers a watcher and a sender in a room of their own and takes the watcher's first token. */
export async function prepareWakeups(base: string, prefix: string): Promise<WakeupRoom> {
  const watcher = await register(base, `${prefix}_w`);
  const sender = await register(base, `${prefix}_s`);
  const roomId = await createRoom(base, watcher);
  await joinRoom(base, sender, roomId);
  const initial = await call(base, "GET", "/_matrix/client/v3/sync", undefined, watcher.token);
  return { base, watcher, sender, roomId, since: String(initial.json.next_batch) };
}

/** One sample in milliseconds; moves the watcher's token on. */
export async function wakeOnce(room: WakeupRoom, index: number): Promise<number> {
  const poll = call(
    room.base,
    "GET",
    `/_matrix/client/v3/sync?timeout=30000&since=${encodeURIComponent(room.since)}`,
    undefined,
    room.watcher.token,
  );
  await new Promise((r) => setTimeout(r, 20)); // let the poll start waiting
  const sent = performance.now();
  const sending = sendMessage(room.base, room.sender, room.roomId, `wake ${index}`);
  const res = await poll;
  const latency = performance.now() - sent;
  await sending;
  room.since = String(res.json.next_batch);
  return latency;
}
