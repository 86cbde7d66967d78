/**
 * Send throughput benchmark: events/s and per-send latency (p50/p95/p99) for N concurrent senders,
 * all in one room and each in a room of their own, over the client-server API on loopback.
 *
 *   npx tsx bench/send.ts [--url URL] [--senders 50] [--messages 20] [--compare-synapse [URL]]
 *
 * Without --url it starts Lattice in its own process as `npm start` does (temporary SQLite data
 * folder, default settings, open registration, no rate limits). Users register through the open
 * registration dummy flow, which the test Synapse of /work/shared/synapse also offers;
 * `--compare-synapse` measures it in the same run (starting it if installed) and prints the ratio.
 * Prints one JSON document.
 */
import {
  type BenchUser,
  benchOptions,
  cpuMsOf,
  createRoom,
  inBatches,
  joinRoom,
  percentile,
  ratio,
  register,
  sendMessage,
  synapseAt,
  withLattice,
} from "./lib/homeserver.js";

/** Every user sends `messages` messages one after another, all users at once. */
async function measure(
  base: string,
  users: BenchUser[],
  roomOf: (i: number) => string,
  messages: number,
  pid?: number,
) {
  // Warm-up (not counted): one message per user.
  await Promise.all(users.map((u, i) => sendMessage(base, u, roomOf(i), "warm-up")));
  const latencies: number[] = [];
  const cpuBefore = pid ? cpuMsOf(pid) : Number.NaN;
  const started = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      for (let m = 0; m < messages; m++)
        latencies.push(await sendMessage(base, u, roomOf(i), `message ${m} from ${i}`));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = pid ? cpuMsOf(pid) - cpuBefore : Number.NaN;
  latencies.sort((a, b) => a - b);
  return {
    events: latencies.length,
    ...(pid ? { server_cpu_ms_per_event: Math.round((cpuMs / latencies.length) * 100) / 100 } : {}),
    seconds: Math.round(seconds * 1000) / 1000,
    events_per_s: Math.round((latencies.length / seconds) * 10) / 10,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    },
  };
}

async function benchmark(base: string, senders: number, messages: number, pid?: number) {
  const prefix = `bench${Date.now().toString(36)}`;
  const users = await inBatches(
    Array.from({ length: senders }, (_, i) => `${prefix}_${i}`),
    10,
    (name) => register(base, name),
  );
  const shared = await createRoom(base, users[0] as BenchUser);
  await inBatches(users.slice(1), 10, (u) => joinRoom(base, u, shared));
  const oneRoom = await measure(base, users, () => shared, messages, pid);
  const own = await inBatches(users, 10, (u) => createRoom(base, u));
  const manyRooms = await measure(base, users, (i) => own[i] as string, messages, pid);
  return { url: base, senders, messages_each: messages, one_room: oneRoom, many_rooms: manyRooms };
}

const options = benchOptions(process.argv.slice(2), { senders: 50, messages: 20 });
const lattice = options.url
  ? await benchmark(options.url, options.numbers.senders, options.numbers.messages)
  : await withLattice((url, pid) => benchmark(url, options.numbers.senders, options.numbers.messages, pid));
const report: Record<string, unknown> = { bench: "send", lattice };
if (options.synapse) {
  const url = await synapseAt(options.synapse);
  if (!url) report.synapse = { error: "not reachable" };
  else {
    const synapse = await benchmark(url, options.numbers.senders, options.numbers.messages);
    report.synapse = synapse;
    report.lattice_over_synapse = {
      one_room: ratio(lattice.one_room.events_per_s, synapse.one_room.events_per_s),
      many_rooms: ratio(lattice.many_rooms.events_per_s, synapse.many_rooms.events_per_s),
    };
  }
}
console.log(JSON.stringify(report, null, 2));
