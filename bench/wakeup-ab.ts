/**
 * A/B of the long-poll wake-up between two running servers (two builds of Lattice, say): samples
 * alternate between them, so the machine's speed, which drifts by tens of percent within an hour on
 * a shared VM, weighs on both alike. Sequential runs could not tell apart changes under ~20%.
 *
 *   npx tsx bench/wakeup-ab.ts URL_A URL_B [--wakeups 400]
 *
 * Start each server on its own fresh data directory. Prints one JSON document.
 */
import { benchOptions, percentile } from "./lib/homeserver.js";
import { prepareWakeups, wakeOnce } from "./lib/wakeup.js";

const urls = process.argv.slice(2, 4);
const count = benchOptions(process.argv.slice(4), { wakeups: 400 }).numbers.wakeups;
if (urls.length !== 2 || urls.some((u) => u.startsWith("--")) || !(count > 0))
  throw new Error("usage: wakeup-ab.ts URL_A URL_B [--wakeups N]");

const prefix = `bab${Date.now().toString(36)}`;
const rooms = [
  await prepareWakeups(urls[0] as string, prefix),
  await prepareWakeups(urls[1] as string, prefix),
];
const samples: number[][] = [[], []];
for (let i = 0; i < count; i++) {
  // Which server goes first alternates too, so neither always follows the other's work.
  for (const k of i % 2 === 0 ? [0, 1] : [1, 0])
    samples[k]?.push(await wakeOnce(rooms[k] as (typeof rooms)[0], i));
}
const summary = (sorted: number[]) => ({
  p50_ms: percentile(sorted, 50),
  p95_ms: percentile(sorted, 95),
  mean_ms: Math.round((sorted.reduce((a, b) => a + b, 0) / sorted.length) * 100) / 100,
});
const [a, b] = samples.map((s) => summary(s.sort((x, y) => x - y)));
console.log(
  JSON.stringify(
    { bench: "wakeup-ab", count, a: { url: urls[0], ...a }, b: { url: urls[1], ...b } },
    null,
    2,
  ),
);
