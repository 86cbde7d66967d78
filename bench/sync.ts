/**
 * Sync benchmark: initial sync time and size for a user in 50 rooms with 20 messages each and in 500
 * rooms, the cost of an incremental sync, and the wake-up latency of a long-polling /sync when another
 * user sends (p50/p95).
 *
 *   npx tsx bench/sync.ts [--url URL] [--compare-synapse [URL]] [--wakeups 200] [--big-rooms 500]
 *
 * Without --url it starts Lattice in a process of its own (the bundle `npm start` runs).
 * `--compare-synapse` runs the same against the Synapse of /work/shared/synapse in the same run and
 * prints the ratios (Synapse / Lattice for times, so bigger is better for Lattice); it starts that
 * Synapse after Lattice is done if it is not running. A Synapse left running by earlier runs works in
 * the background (presence, user directory: ~10% of a CPU here) and slows the Lattice half of the
 * run, so stop it first (`/work/shared/synapse/stop.sh main`) for clean figures. Prints one JSON
 * document.
 */
import {
  benchOptions,
  call,
  createRoom,
  inBatches,
  percentile,
  ratio,
  register,
  sendMessage,
  synapseAt,
  withLattice,
} from "./lib/homeserver.js";
import { prepareWakeups, wakeOnce } from "./lib/wakeup.js";

/** A user in `rooms` rooms with `messages` messages each; returns the initial sync's time and size. */
async function initialSync(base: string, prefix: string, rooms: number, messages: number) {
  const user = await register(base, `${prefix}_r${rooms}m${messages}`);
  // Distinct creation content: a room ID derived from the create event (room version 12) is the
  // same for two rooms created by one user in the same millisecond, which would merge them.
  const roomIds = await inBatches(Array.from({ length: rooms }), 8, (_, i) =>
    createRoom(base, user, { creation_content: { "org.lattice.bench.room": `${prefix}.${rooms}.${i}` } }),
  );
  if (new Set(roomIds).size !== rooms)
    throw new Error(`created ${new Set(roomIds).size} rooms, not ${rooms}`);
  await inBatches(roomIds, 8, async (roomId) => {
    for (let m = 0; m < messages; m++) await sendMessage(base, user, roomId, `message ${m}`);
  });
  const samples: number[] = [];
  let bytes = 0;
  let nextBatch = "";
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await call(base, "GET", "/_matrix/client/v3/sync", undefined, user.token);
    samples.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`sync: ${res.status}`);
    bytes = res.bytes;
    nextBatch = String(res.json.next_batch);
  }
  // Incremental: one new message in one room.
  await sendMessage(base, user, roomIds[0] as string, "news");
  const incStarted = performance.now();
  await call(
    base,
    "GET",
    `/_matrix/client/v3/sync?since=${encodeURIComponent(nextBatch)}`,
    undefined,
    user.token,
  );
  const incremental = performance.now() - incStarted;
  const cold = samples[0] ?? 0;
  samples.sort((a, b) => a - b);
  return {
    rooms,
    messages_each: messages,
    // The first request is the one that counts: Synapse caches identical sync responses for minutes
    // (sync_response_cache_duration), so its repeats measure the cache, not the sync.
    initial_ms: Math.round(cold * 10) / 10,
    initial_repeat_median_ms: Math.round((samples[1] ?? 0) * 10) / 10,
    initial_bytes: bytes,
    incremental_ms: Math.round(incremental * 10) / 10,
  };
}

/** Long-poll wake-up: the time from another user's send to the syncing user's response. */
async function wakeups(base: string, prefix: string, count: number) {
  const room = await prepareWakeups(base, prefix);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) latencies.push(await wakeOnce(room, i));
  latencies.sort((a, b) => a - b);
  return { count, p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95) };
}

async function benchmark(base: string, bigRooms: number, wakeupCount: number) {
  const prefix = `bsync${Date.now().toString(36)}`;
  return {
    url: base,
    rooms_50: await initialSync(base, prefix, 50, 20),
    [`rooms_${bigRooms}`]: await initialSync(base, prefix, bigRooms, 2),
    wakeup: await wakeups(base, prefix, wakeupCount),
  };
}

// 200 wake-ups: with 50, the p95 is the third-slowest sample and moves by a millisecond between runs.
const options = benchOptions(process.argv.slice(2), { wakeups: 200, "big-rooms": 500 });
const lattice = options.url
  ? await benchmark(options.url, options.numbers["big-rooms"], options.numbers.wakeups)
  : await withLattice((url) => benchmark(url, options.numbers["big-rooms"], options.numbers.wakeups));
const report: Record<string, unknown> = { bench: "sync", lattice };
if (options.synapse) {
  const url = await synapseAt(options.synapse);
  if (!url) report.synapse = { error: "not reachable" };
  else {
    const synapse = await benchmark(url, options.numbers["big-rooms"], options.numbers.wakeups);
    report.synapse = synapse;
    const big = `rooms_${options.numbers["big-rooms"]}`;
    const l = lattice as Record<string, any>;
    const s = synapse as Record<string, any>;
    report.synapse_over_lattice = {
      initial_50_rooms: ratio(s.rooms_50.initial_ms, l.rooms_50.initial_ms),
      [`initial_${big}`]: ratio(s[big].initial_ms, l[big].initial_ms),
      incremental_50_rooms: ratio(s.rooms_50.incremental_ms, l.rooms_50.incremental_ms),
      wakeup_p95: ratio(s.wakeup.p95_ms, l.wakeup.p95_ms),
    };
  }
}
console.log(JSON.stringify(report, null, 2));
