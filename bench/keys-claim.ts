/**
 * One-time key claim benchmark: claims/s and per-claim latency (p50/p95/p99) for concurrent
 * claimers emptying one device's one-time keys over `POST /keys/claim`, then the same on the store
 * alone (SQLite in memory). Every claimed key is checked: none may be handed out twice.
 *
 *   npx tsx bench/keys-claim.ts [--url URL] [--keys 2000] [--claimers 50]
 *
 * Without --url it starts Lattice in its own process as `npm start` does (temporary SQLite data
 * folder). Prints one JSON document.
 */
import { openSqliteStore } from "../src/adapters/sqlite/open.js";
import type { JsonObject } from "../src/protocol/json.js";
import { generateSigningKey, publicKeyBase64FromSeed, signJson } from "../src/protocol/signing.js";
import { type BenchUser, call, percentile, register, withLattice } from "./lib/homeserver.js";

function parseArgs(argv: string[]) {
  const options = { url: undefined as string | undefined, keys: 2000, claimers: 50 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--url" && next) options.url = argv[++i];
    else if (arg === "--keys" && next) options.keys = Number(argv[++i]);
    else if (arg === "--claimers" && next) options.claimers = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

const keyId = (i: number) => `K${String(i).padStart(7, "0")}`;

/** Registers the key owner, uploads its device keys and `count` signed one-time keys. */
async function owner(base: string, count: number) {
  const user = await register(base, `owner${Date.now()}`);
  const deviceId = String(
    (await call(base, "GET", "/_matrix/client/v3/account/whoami", undefined, user.token)).json.device_id,
  );
  const { seed } = generateSigningKey();
  const pub = await publicKeyBase64FromSeed(seed);
  const deviceKeys = await signJson(
    {
      user_id: user.userId,
      device_id: deviceId,
      algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: { [`curve25519:${deviceId}`]: "curve", [`ed25519:${deviceId}`]: pub },
    },
    user.userId,
    `ed25519:${deviceId}`,
    seed,
  );
  await call(base, "POST", "/_matrix/client/v3/keys/upload", { device_keys: deviceKeys }, user.token);
  for (let start = 0; start < count; start += 100) {
    const batch: Record<string, JsonObject> = {};
    for (let i = start; i < Math.min(count, start + 100); i++) {
      batch[`signed_curve25519:${keyId(i)}`] = await signJson(
        { key: `k${i}` },
        user.userId,
        `ed25519:${deviceId}`,
        seed,
      );
    }
    const up = await call(
      base,
      "POST",
      "/_matrix/client/v3/keys/upload",
      { one_time_keys: batch },
      user.token,
    );
    if (up.status !== 200) throw new Error(`upload: ${up.status} ${JSON.stringify(up.json)}`);
  }
  return { user, deviceId };
}

async function overHttp(base: string, keys: number, claimers: number) {
  const { user, deviceId } = await owner(base, keys);
  const users: BenchUser[] = [];
  for (let i = 0; i < claimers; i++) users.push(await register(base, `claimer${Date.now()}_${i}`));
  const claimed: string[] = [];
  const latencies: number[] = [];
  let remaining = keys;
  const started = performance.now();
  await Promise.all(
    users.map(async (u) => {
      while (remaining > 0) {
        remaining--;
        const t = performance.now();
        const res = await call(
          base,
          "POST",
          "/_matrix/client/v3/keys/claim",
          { one_time_keys: { [user.userId]: { [deviceId]: "signed_curve25519" } } },
          u.token,
        );
        latencies.push(performance.now() - t);
        const byUser = res.json.one_time_keys as Record<string, Record<string, JsonObject>> | undefined;
        const got = Object.keys(byUser?.[user.userId]?.[deviceId] ?? {});
        claimed.push(...got);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    keys,
    claimers,
    claims: claimed.length,
    distinct: new Set(claimed).size,
    claimsPerSecond: Math.round(claimed.length / seconds),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
    },
  };
}

/** The claim statement alone: the store's atomic delete-and-return, `claimers` at once. */
async function onStore(keys: number, claimers: number) {
  const store = await openSqliteStore(":memory:");
  try {
    const rows = Array.from({ length: keys }, (_, i) => ({
      algorithm: "signed_curve25519",
      keyId: keyId(i),
      json: `{"key":"k${i}"}`,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await store.e2eeKeys.addOneTimeKeys("@o:b", "D", rows.slice(i, i + 500));
    const claimed: string[] = [];
    let remaining = keys;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: claimers }, async () => {
        while (remaining > 0) {
          remaining--;
          const key = await store.e2eeKeys.claimKey("@o:b", "D", "signed_curve25519");
          if (key) claimed.push(key.keyId);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      engine: "sqlite :memory:",
      claims: claimed.length,
      distinct: new Set(claimed).size,
      claimsPerSecond: Math.round(claimed.length / seconds),
    };
  } finally {
    await store.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

const options = parseArgs(process.argv.slice(2));
const http = options.url
  ? await overHttp(options.url, options.keys, options.claimers)
  : await withLattice((url) => overHttp(url, options.keys, options.claimers));
const store = await onStore(options.keys * 5, options.claimers);
const result = { benchmark: "keys-claim", http, store };
if (http.distinct !== http.claims || store.distinct !== store.claims) {
  console.log(JSON.stringify({ ...result, error: "a one-time key was handed out twice" }, null, 2));
  process.exit(1);
}
console.log(JSON.stringify(result, null, 2));
