/**
 * The key management API over HTTP with real Ed25519 signatures: device and one-time key uploads and
 * their checks, query and claim (100 concurrent claims for 50 keys), device list changes in /sync and
 * /keys/changes (changed on key upload, device deletion and joins, left when the last shared room
 * goes, long-polls woken), cross-signing with its UIA exemptions and signature checks, key backup,
 * and dehydrated devices receiving to-device messages while offline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/protocol/json.js";
import { generateSigningKey, publicKeyBase64FromSeed, signJson } from "../../src/protocol/signing.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const K = "/_matrix/client/v3/keys";

beforeAll(async () => {
  server = await startTestServer(["--open-registration", "--no-rate-limits"]);
  alice = await registerUser(server.http, "alice");
  bob = await registerUser(server.http, "bob");
  carol = await registerUser(server.http, "carol");
});
afterAll(() => server.close());

/** A device's signing identity: an Ed25519 seed and its public key. */
async function identity() {
  const { seed } = generateSigningKey();
  return { seed, pub: await publicKeyBase64FromSeed(seed) };
}

async function deviceKeys(user: TestUser, deviceId = user.deviceId, id?: { seed: Uint8Array; pub: string }) {
  const ident = id ?? (await identity());
  const keys = await signJson(
    {
      user_id: user.userId,
      device_id: deviceId,
      algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: { [`curve25519:${deviceId}`]: `curve-${deviceId}`, [`ed25519:${deviceId}`]: ident.pub },
    },
    user.userId,
    `ed25519:${deviceId}`,
    ident.seed,
  );
  return { keys, ident };
}

async function signedKeys(
  user: TestUser,
  deviceId: string,
  seed: Uint8Array,
  ids: string[],
  fallback = false,
) {
  const out: Record<string, JsonObject> = {};
  for (const id of ids) {
    const body: JsonObject = fallback ? { key: `k-${id}`, fallback: true } : { key: `k-${id}` };
    out[`signed_curve25519:${id}`] = await signJson(body, user.userId, `ed25519:${deviceId}`, seed);
  }
  return out;
}

/** The signatures one entity made over a signed object. */
const sig = (object: JsonObject, entity: string) =>
  (object.signatures as Record<string, Record<string, string>>)[entity] as Record<string, string>;

const sync = (user: TestUser, since?: string, timeout = 0) =>
  server.http.get(
    `/_matrix/client/v3/sync?timeout=${timeout}${since ? `&since=${encodeURIComponent(since)}` : ""}`,
    user.accessToken,
  );

describe("device and one-time keys", () => {
  let aliceIdent: { seed: Uint8Array; pub: string };

  it("uploads self-signed device keys and refuses someone else's, a bad signature, or changed keys", async () => {
    const { keys, ident } = await deviceKeys(alice);
    aliceIdent = ident;
    const ok = await server.http.post(`${K}/upload`, { device_keys: keys }, alice.accessToken);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ one_time_key_counts: { signed_curve25519: 0 } });
    // Repeating the same keys is fine.
    expect((await server.http.post(`${K}/upload`, { device_keys: keys }, alice.accessToken)).status).toBe(
      200,
    );

    const forBob = await server.http.post(`${K}/upload`, { device_keys: keys }, bob.accessToken);
    expect(forBob.status).toBe(400);
    const tampered = { ...keys, algorithms: ["m.megolm.v1.aes-sha2"] };
    const badSig = await server.http.post(`${K}/upload`, { device_keys: tampered }, alice.accessToken);
    expect(badSig.status).toBe(400);
    expect(badSig.body.errcode).toBe("M_INVALID_SIGNATURE");
    const other = await deviceKeys(alice);
    const changed = await server.http.post(`${K}/upload`, { device_keys: other.keys }, alice.accessToken);
    expect(changed.status).toBe(400);
    expect(changed.body.error).toMatch(/cannot change/);
  });

  it("counts signed one-time keys, refuses bad signatures and a reused key ID with new content", async () => {
    const otks = await signedKeys(alice, alice.deviceId, aliceIdent.seed, ["A1", "A2", "A3"]);
    const up = await server.http.post(`${K}/upload`, { one_time_keys: otks }, alice.accessToken);
    expect(up.body).toEqual({ one_time_key_counts: { signed_curve25519: 3 } });
    const stranger = await identity();
    const forged = await signedKeys(alice, alice.deviceId, stranger.seed, ["A4"]);
    const bad = await server.http.post(`${K}/upload`, { one_time_keys: forged }, alice.accessToken);
    expect(bad.body.errcode).toBe("M_INVALID_SIGNATURE");
    const reused = {
      "signed_curve25519:A1": await signJson(
        { key: "different" },
        alice.userId,
        `ed25519:${alice.deviceId}`,
        aliceIdent.seed,
      ),
    };
    const dup = await server.http.post(`${K}/upload`, { one_time_keys: reused }, alice.accessToken);
    expect(dup.status).toBe(400);
    // The same upload again is idempotent.
    const again = await server.http.post(`${K}/upload`, { one_time_keys: otks }, alice.accessToken);
    expect(again.body).toEqual({ one_time_key_counts: { signed_curve25519: 3 } });

    const fallback = await signedKeys(alice, alice.deviceId, aliceIdent.seed, ["F1"], true);
    await server.http.post(`${K}/upload`, { fallback_keys: fallback }, alice.accessToken);
    const s = await sync(alice);
    expect(s.body.device_one_time_keys_count).toEqual({ signed_curve25519: 3 });
    expect(s.body.device_unused_fallback_key_types).toEqual(["signed_curve25519"]);
  });

  it("answers /keys/query with the display name, and /keys/claim one key at a time, then the fallback key", async () => {
    const q = await server.http.post(`${K}/query`, { device_keys: { [alice.userId]: [] } }, bob.accessToken);
    const mine = q.body.device_keys[alice.userId][alice.deviceId];
    expect(mine.keys[`ed25519:${alice.deviceId}`]).toBe(aliceIdent.pub);
    expect(q.body.failures).toEqual({});
    const remote = await server.http.post(
      `${K}/query`,
      { device_keys: { "@x:elsewhere.example": [] } },
      bob.accessToken,
    );
    expect(Object.keys(remote.body.failures)).toEqual(["elsewhere.example"]);

    const claim = () =>
      server.http.post(
        `${K}/claim`,
        { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } },
        bob.accessToken,
      );
    const got = [];
    for (let i = 0; i < 4; i++)
      got.push(Object.keys((await claim()).body.one_time_keys[alice.userId][alice.deviceId])[0]);
    expect(got).toEqual([
      "signed_curve25519:A1",
      "signed_curve25519:A2",
      "signed_curve25519:A3",
      "signed_curve25519:F1",
    ]);
    const s = await sync(alice);
    expect(s.body.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(s.body.device_unused_fallback_key_types).toEqual([]);
  });

  it("gives 100 concurrent HTTP claims 50 distinct keys and then the fallback key", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `C${String(i).padStart(3, "0")}`);
    await server.http.post(
      `${K}/upload`,
      { one_time_keys: await signedKeys(alice, alice.deviceId, aliceIdent.seed, ids) },
      alice.accessToken,
    );
    await server.http.post(
      `${K}/upload`,
      { fallback_keys: await signedKeys(alice, alice.deviceId, aliceIdent.seed, ["F2"], true) },
      alice.accessToken,
    );
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        server.http.post(
          `${K}/claim`,
          { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } },
          bob.accessToken,
        ),
      ),
    );
    const keyIds = responses.map((r) => Object.keys(r.body.one_time_keys[alice.userId][alice.deviceId])[0]);
    const oneTime = keyIds.filter((k) => k !== "signed_curve25519:F2");
    expect(oneTime).toHaveLength(50);
    expect(new Set(oneTime).size).toBe(50);
    expect(keyIds.filter((k) => k === "signed_curve25519:F2")).toHaveLength(50);
  });
});

describe("device lists", () => {
  let roomId: string;

  it("tells room members about key uploads, joins and leaves, and wakes their long-polls", async () => {
    roomId = (await server.http.post("/_matrix/client/v3/createRoom", {}, alice.accessToken)).body.room_id;
    await server.http.post(
      `/_matrix/client/v3/rooms/${roomId}/invite`,
      { user_id: bob.userId },
      alice.accessToken,
    );
    const before = (await sync(alice)).body.next_batch;
    await server.http.post(`/_matrix/client/v3/join/${roomId}`, {}, bob.accessToken);
    const joined = await sync(alice, before);
    expect(joined.body.device_lists.changed).toContain(bob.userId);

    // A long-poll wakes when bob uploads keys.
    const t0 = joined.body.next_batch;
    const polling = sync(alice, t0, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await server.http.post(`${K}/upload`, { device_keys: (await deviceKeys(bob)).keys }, bob.accessToken);
    const woke = await polling;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(woke.body.device_lists.changed).toEqual([bob.userId]);

    // Carol, sharing no room, never hears of bob.
    const carolBefore = (await sync(carol)).body.next_batch;
    const t1 = woke.body.next_batch;
    await server.http.post(`${K}/upload`, { device_keys: (await deviceKeys(carol)).keys }, carol.accessToken);
    expect((await sync(alice, t1)).body.device_lists.changed).toEqual([]);

    // /keys/changes agrees with sync.
    const changes = await server.http.get(`${K}/changes?from=${t0}&to=${t1}`, alice.accessToken);
    expect(changes.body).toEqual({ changed: [bob.userId], left: [] });

    // Bob leaves: alice is told to stop tracking him, and bob to stop tracking alice.
    const bobBefore = (await sync(bob)).body.next_batch;
    await server.http.post(`/_matrix/client/v3/rooms/${roomId}/leave`, {}, bob.accessToken);
    const afterLeave = await sync(alice, t1);
    expect(afterLeave.body.device_lists.left).toEqual([bob.userId]);
    expect(afterLeave.body.device_lists.changed).not.toContain(bob.userId);
    expect((await sync(bob, bobBefore)).body.device_lists.left).toEqual([alice.userId]);
    expect((await sync(carol, carolBefore)).body.device_lists.left).toEqual([]);
  });

  it("counts a deleted device as a change, and deletes its keys", async () => {
    const second = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "alice" },
      password: alice.password,
    });
    const secondUser = { ...alice, accessToken: second.body.access_token, deviceId: second.body.device_id };
    await server.http.post(
      `${K}/upload`,
      { device_keys: (await deviceKeys(secondUser)).keys },
      secondUser.accessToken,
    );
    const before = (await sync(alice)).body.next_batch;
    const first = await server.http.delete(
      `/_matrix/client/v3/devices/${secondUser.deviceId}`,
      {},
      alice.accessToken,
    );
    await server.http.delete(
      `/_matrix/client/v3/devices/${secondUser.deviceId}`,
      {
        auth: {
          type: "m.login.password",
          identifier: { type: "m.id.user", user: "alice" },
          password: alice.password,
          session: first.body.session,
        },
      },
      alice.accessToken,
    );
    expect((await sync(alice, before)).body.device_lists.changed).toEqual([alice.userId]);
    const q = await server.http.post(
      `${K}/query`,
      { device_keys: { [alice.userId]: [] } },
      alice.accessToken,
    );
    expect(Object.keys(q.body.device_keys[alice.userId])).toEqual([alice.deviceId]);
    expect(
      await server.services.store.e2eeKeys.getDeviceKeys(alice.userId, secondUser.deviceId),
    ).toBeUndefined();
  });
});

describe("device lists at scale", () => {
  it("costs the same for a user in 200 busy rooms: no per-room member scans when memberships did not change", async () => {
    const erin = await registerUser(server.http, "erin");
    const frank = await registerUser(server.http, "frank");
    const rooms: string[] = [];
    for (let i = 0; i < 200; i++) {
      const id = (
        await server.http.post("/_matrix/client/v3/createRoom", { preset: "public_chat" }, erin.accessToken)
      ).body.room_id as string;
      await server.http.post(`/_matrix/client/v3/join/${id}`, {}, frank.accessToken);
      rooms.push(id);
    }
    const since = (await sync(erin)).body.next_batch;
    for (const id of rooms) {
      await server.http.put(
        `/_matrix/client/v3/rooms/${id}/send/m.room.message/${id}`,
        { msgtype: "m.text", body: "hi" },
        frank.accessToken,
      );
    }
    await server.http.post(`${K}/upload`, { device_keys: (await deviceKeys(frank)).keys }, frank.accessToken);

    const rooms$ = server.services.store.rooms;
    const original = rooms$.members;
    let memberScans = 0;
    rooms$.members = (...args) => {
      memberScans++;
      return original.apply(rooms$, args);
    };
    try {
      const started = performance.now();
      const r = await sync(erin, since);
      const ms = performance.now() - started;
      expect(r.body.device_lists).toEqual({ changed: [frank.userId], left: [] });
      expect(Object.keys(r.body.rooms.join)).toHaveLength(200);
      expect(memberScans).toBe(0);
      // Generous: the whole incremental sync of 200 rooms, not just the device lists.
      expect(ms).toBeLessThan(10_000);
    } finally {
      rooms$.members = original;
    }
  });
});

describe("logout", () => {
  it("deletes the device's keys and reports the change to the user's contacts", async () => {
    const extra = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "alice" },
      password: alice.password,
    });
    const device = { ...alice, accessToken: extra.body.access_token, deviceId: extra.body.device_id };
    await server.http.post(
      `${K}/upload`,
      { device_keys: (await deviceKeys(device)).keys },
      device.accessToken,
    );
    const before = (await sync(alice)).body.next_batch;
    expect((await server.http.post("/_matrix/client/v3/logout", {}, device.accessToken)).status).toBe(200);
    expect((await sync(alice, before)).body.device_lists.changed).toEqual([alice.userId]);
    expect(await server.services.store.e2eeKeys.getDeviceKeys(alice.userId, device.deviceId)).toBeUndefined();
  });
});

describe("password change and deactivation", () => {
  const loginAs = async (user: TestUser, password = user.password) => {
    const r = await server.http.post("/_matrix/client/v3/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: user.userId },
      password,
    });
    return {
      ...user,
      password,
      accessToken: r.body.access_token as string,
      deviceId: r.body.device_id as string,
    };
  };
  const withPassword = async (user: TestUser, path: string, body: Record<string, unknown>) => {
    const first = await server.http.post(path, body, user.accessToken);
    return server.http.post(
      path,
      {
        ...body,
        auth: {
          type: "m.login.password",
          identifier: { type: "m.id.user", user: user.userId },
          password: user.password,
          session: first.body.session,
        },
      },
      user.accessToken,
    );
  };

  it("deletes the keys of the devices a password change logs out, and of a deactivated account", async () => {
    const gina = await registerUser(server.http, "gina");
    const other = await loginAs(gina);
    await server.http.post(`${K}/upload`, { device_keys: (await deviceKeys(gina)).keys }, gina.accessToken);
    await server.http.post(`${K}/upload`, { device_keys: (await deviceKeys(other)).keys }, other.accessToken);
    const before = (await sync(gina)).body.next_batch;
    const changed = await withPassword(gina, "/_matrix/client/v3/account/password", {
      new_password: "a new long password",
      logout_devices: true,
    });
    expect(changed.status).toBe(200);
    expect((await sync(gina, before)).body.device_lists.changed).toEqual([gina.userId]);
    const e2eeKeys = server.services.store.e2eeKeys;
    expect(await e2eeKeys.getDeviceKeys(gina.userId, other.deviceId)).toBeUndefined();
    expect(await e2eeKeys.getDeviceKeys(gina.userId, gina.deviceId)).toBeDefined();

    const renamed = { ...gina, password: "a new long password" };
    expect((await withPassword(renamed, "/_matrix/client/v3/account/deactivate", {})).status).toBe(200);
    expect(await e2eeKeys.getDeviceKeys(gina.userId, gina.deviceId)).toBeUndefined();
  });
});

describe("to-device relay of verification and key sharing", () => {
  it("relays m.key.verification.*, m.room_key_request and m.forwarded_room_key content exactly", async () => {
    const target = await registerUser(server.http, "relaytarget");
    const before = (await sync(target)).body.next_batch;
    const sent = [
      {
        type: "m.key.verification.request",
        content: { from_device: "X", methods: ["m.sas.v1"], timestamp: 1, transaction_id: "t1" },
      },
      {
        type: "m.key.verification.start",
        content: {
          method: "m.sas.v1",
          transaction_id: "t1",
          hashes: ["sha256"],
          key_agreement_protocols: ["curve25519-hkdf-sha256"],
          message_authentication_codes: ["hkdf-hmac-sha256.v2"],
          short_authentication_string: ["emoji", "decimal"],
          from_device: "X",
        },
      },
      {
        type: "m.room_key_request",
        content: {
          action: "request",
          body: {
            algorithm: "m.megolm.v1.aes-sha2",
            room_id: "!r:localhost",
            session_id: "S",
            sender_key: "K",
          },
          request_id: "r1",
          requesting_device_id: "X",
        },
      },
      {
        type: "m.forwarded_room_key",
        content: {
          algorithm: "m.megolm.v1.aes-sha2",
          room_id: "!r:localhost",
          sender_key: "K",
          session_id: "S",
          session_key: "AQAAAAAAAAAA",
          sender_claimed_ed25519_key: "E",
          forwarding_curve25519_key_chain: ["A", "B"],
        },
      },
    ];
    for (const [i, m] of sent.entries()) {
      const r = await server.http.put(
        `/_matrix/client/v3/sendToDevice/${m.type}/relay${i}`,
        { messages: { [target.userId]: { [target.deviceId]: m.content } } },
        alice.accessToken,
      );
      expect(r.status).toBe(200);
    }
    const got = (await sync(target, before)).body.to_device.events;
    expect(got).toEqual(sent.map((m) => ({ sender: alice.userId, type: m.type, content: m.content })));
  });
});

/** A cross-signing key of `user`, optionally signed by another key. */
async function crossKey(user: TestUser, usage: string, signer?: { seed: Uint8Array; pub: string }) {
  const id = await identity();
  let key: JsonObject = { user_id: user.userId, usage: [usage], keys: { [`ed25519:${id.pub}`]: id.pub } };
  if (signer) key = await signJson(key, user.userId, `ed25519:${signer.pub}`, signer.seed);
  return { key, ...id };
}

describe("cross-signing", () => {
  const password = (user: TestUser, session: string) => ({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.userId },
    password: user.password,
    session,
  });

  it("takes the first upload without UIA, asks for the password to replace keys, not to repeat them", async () => {
    const master = await crossKey(carol, "master");
    const ssk = await crossKey(carol, "self_signing", master);
    const usk = await crossKey(carol, "user_signing", master);
    const body = { master_key: master.key, self_signing_key: ssk.key, user_signing_key: usk.key };
    expect((await server.http.post(`${K}/device_signing/upload`, body, carol.accessToken)).status).toBe(200);
    expect((await server.http.post(`${K}/device_signing/upload`, body, carol.accessToken)).status).toBe(200);

    const master2 = await crossKey(carol, "master");
    const ssk2 = await crossKey(carol, "self_signing", master2);
    const replace = { master_key: master2.key, self_signing_key: ssk2.key };
    const challenge = await server.http.post(`${K}/device_signing/upload`, replace, carol.accessToken);
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    const unsigned = await crossKey(carol, "self_signing");
    const refused = await server.http.post(
      `${K}/device_signing/upload`,
      { self_signing_key: unsigned.key, auth: password(carol, challenge.body.session) },
      carol.accessToken,
    );
    expect(refused.body.errcode).toBe("M_INVALID_SIGNATURE");
    // Put the first set back (with a password), so the next tests know the keys.
    const c2 = await server.http.post(`${K}/device_signing/upload`, replace, carol.accessToken);
    const done = await server.http.post(
      `${K}/device_signing/upload`,
      { ...replace, auth: password(carol, c2.body.session) },
      carol.accessToken,
    );
    expect(done.status).toBe(200);
    const q = await server.http.post(
      `${K}/query`,
      { device_keys: { [carol.userId]: [] } },
      carol.accessToken,
    );
    expect(q.body.master_keys[carol.userId].keys).toEqual(master2.key.keys);
    expect(q.body.self_signing_keys[carol.userId].keys).toEqual(ssk2.key.keys);
    expect(q.body.user_signing_keys[carol.userId].keys).toEqual(usk.key.keys);
    // Other users see no user-signing key.
    const seen = await server.http.post(
      `${K}/query`,
      { device_keys: { [carol.userId]: [] } },
      bob.accessToken,
    );
    expect(seen.body.user_signing_keys).toEqual({});
  });

  it("verifies uploaded signatures, reports invalid ones, and shows valid ones in /keys/query", async () => {
    // Dave with a device and full cross-signing.
    const dave = await registerUser(server.http, "dave");
    const dev = await deviceKeys(dave);
    await server.http.post(`${K}/upload`, { device_keys: dev.keys }, dave.accessToken);
    const master = await crossKey(dave, "master");
    const ssk = await crossKey(dave, "self_signing", master);
    const usk = await crossKey(dave, "user_signing", master);
    await server.http.post(
      `${K}/device_signing/upload`,
      { master_key: master.key, self_signing_key: ssk.key, user_signing_key: usk.key },
      dave.accessToken,
    );
    const signedDevice = await signJson(dev.keys, dave.userId, `ed25519:${ssk.pub}`, ssk.seed);
    const masterByDevice = await signJson(
      master.key,
      dave.userId,
      `ed25519:${dave.deviceId}`,
      dev.ident.seed,
    );
    const forged = await signJson(dev.keys, dave.userId, `ed25519:${ssk.pub}`, (await identity()).seed);
    // Dave signs carol's master key with his user-signing key.
    const q0 = await server.http.post(
      `${K}/query`,
      { device_keys: { [carol.userId]: [] } },
      dave.accessToken,
    );
    const carolMaster = q0.body.master_keys[carol.userId] as JsonObject;
    const carolMasterId = Object.values(carolMaster.keys as Record<string, string>)[0] as string;
    const { signatures: _s, ...carolMasterBare } = carolMaster;
    const signedCarol = await signJson(carolMasterBare, dave.userId, `ed25519:${usk.pub}`, usk.seed);

    const ok = await server.http.post(
      `${K}/signatures/upload`,
      {
        [dave.userId]: { [dave.deviceId]: signedDevice, [master.pub]: masterByDevice },
        [carol.userId]: { [carolMasterId]: signedCarol },
      },
      dave.accessToken,
    );
    expect(ok.body).toEqual({ failures: {} });
    const bad = await server.http.post(
      `${K}/signatures/upload`,
      { [dave.userId]: { [dave.deviceId]: forged } },
      dave.accessToken,
    );
    expect(bad.body.failures[dave.userId][dave.deviceId].errcode).toBe("M_INVALID_SIGNATURE");

    const q = await server.http.post(
      `${K}/query`,
      { device_keys: { [dave.userId]: [], [carol.userId]: [] } },
      dave.accessToken,
    );
    expect(q.body.device_keys[dave.userId][dave.deviceId].signatures[dave.userId]).toEqual({
      [`ed25519:${dave.deviceId}`]: sig(dev.keys, dave.userId)[`ed25519:${dave.deviceId}`],
      [`ed25519:${ssk.pub}`]: sig(signedDevice, dave.userId)[`ed25519:${ssk.pub}`],
    });
    expect(Object.keys(q.body.master_keys[dave.userId].signatures[dave.userId])).toContain(
      `ed25519:${dave.deviceId}`,
    );
    expect(q.body.master_keys[carol.userId].signatures[dave.userId]).toEqual({
      [`ed25519:${usk.pub}`]: sig(signedCarol, dave.userId)[`ed25519:${usk.pub}`],
    });
    // Dave's signature over carol's master key is dave's business only.
    const byBob = await server.http.post(
      `${K}/query`,
      { device_keys: { [carol.userId]: [] } },
      bob.accessToken,
    );
    expect(byBob.body.master_keys[carol.userId].signatures[dave.userId]).toBeUndefined();
  });
});

describe("key backup", () => {
  const B = "/_matrix/client/v3/room_keys";
  const session = (index: number, verified = false, forwarded = 0) => ({
    first_message_index: index,
    forwarded_count: forwarded,
    is_verified: verified,
    session_data: { ephemeral: "e", ciphertext: `c${index}${verified}${forwarded}`, mac: "m" },
  });

  it("creates versions, keeps the best session copies, and keeps count and etag exact", async () => {
    expect((await server.http.get(`${B}/version`, bob.accessToken)).status).toBe(404);
    const algorithm = "m.megolm_backup.v1.curve25519-aes-sha2";
    const v1 = (
      await server.http.post(`${B}/version`, { algorithm, auth_data: { public_key: "p" } }, bob.accessToken)
    ).body.version;
    const info = await server.http.get(`${B}/version`, bob.accessToken);
    expect(info.body).toMatchObject({ algorithm, version: v1, count: 0, auth_data: { public_key: "p" } });
    const etag0 = info.body.etag;

    const put1 = await server.http.put(
      `${B}/keys/!r:localhost/S1?version=${v1}`,
      session(5),
      bob.accessToken,
    );
    expect(put1.body.count).toBe(1);
    expect(put1.body.etag).not.toBe(etag0);
    const worse = await server.http.put(
      `${B}/keys/!r:localhost/S1?version=${v1}`,
      session(7),
      bob.accessToken,
    );
    expect(worse.body).toEqual(put1.body);
    const better = await server.http.put(
      `${B}/keys?version=${v1}`,
      { rooms: { "!r:localhost": { sessions: { S1: session(5, true), S2: session(0) } } } },
      bob.accessToken,
    );
    expect(better.body.count).toBe(2);
    expect(better.body.etag).not.toBe(put1.body.etag);
    expect((await server.http.get(`${B}/keys/!r:localhost/S1?version=${v1}`, bob.accessToken)).body).toEqual(
      session(5, true),
    );
    expect((await server.http.get(`${B}/keys/!r:localhost/S9?version=${v1}`, bob.accessToken)).status).toBe(
      404,
    );
    expect((await server.http.get(`${B}/keys/!other:localhost?version=${v1}`, bob.accessToken)).body).toEqual(
      {
        sessions: {},
      },
    );
    expect(
      Object.keys((await server.http.get(`${B}/keys?version=${v1}`, bob.accessToken)).body.rooms),
    ).toEqual(["!r:localhost"]);

    const v2 = (await server.http.post(`${B}/version`, { algorithm, auth_data: {} }, bob.accessToken)).body
      .version;
    const stale = await server.http.put(
      `${B}/keys/!r:localhost/S3?version=${v1}`,
      session(0),
      bob.accessToken,
    );
    expect(stale.status).toBe(403);
    expect(stale.body).toMatchObject({ errcode: "M_WRONG_ROOM_KEYS_VERSION", current_version: v2 });
    const wrongAlg = await server.http.put(
      `${B}/version/${v2}`,
      { algorithm: "other", auth_data: {} },
      bob.accessToken,
    );
    expect(wrongAlg.status).toBe(400);
    expect(
      (await server.http.put(`${B}/version/${v2}`, { algorithm, auth_data: { x: 1 } }, bob.accessToken))
        .status,
    ).toBe(200);
    expect((await server.http.get(`${B}/version/${v2}`, bob.accessToken)).body.auth_data).toEqual({ x: 1 });

    const del = await server.http.delete(
      `${B}/keys/!r:localhost/S2?version=${v1}`,
      undefined,
      bob.accessToken,
    );
    expect(del.body.count).toBe(1);
    expect((await server.http.delete(`${B}/version/${v2}`, undefined, bob.accessToken)).status).toBe(200);
    expect((await server.http.get(`${B}/version`, bob.accessToken)).body.version).toBe(v1);
    expect((await server.http.get(`${B}/version/${v2}`, bob.accessToken)).status).toBe(404);
  });
});

describe("dehydrated devices (MSC3814)", () => {
  const D = "/_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device";

  it("is advertised, created with its keys, receives to-device messages while offline, and is read in batches", async () => {
    const versions = await server.http.get("/_matrix/client/versions");
    expect(versions.body.unstable_features["org.matrix.msc3814"]).toBe(true);
    expect((await server.http.get(D, bob.accessToken)).body.errcode).toBe("M_NOT_FOUND");

    const id = await identity();
    const dehydrated = { ...bob, deviceId: "DEHYDRATED1" };
    const { keys } = await deviceKeys(dehydrated, "DEHYDRATED1", id);
    const put = await server.http.put(
      D,
      {
        device_id: "DEHYDRATED1",
        device_data: { algorithm: "m.dehydration.v2", device_pickle: "opaque" },
        initial_device_display_name: "Dehydrated device",
        device_keys: { ...keys },
        one_time_keys: await signedKeys(dehydrated, "DEHYDRATED1", id.seed, ["D1"]),
      },
      bob.accessToken,
    );
    expect(put.body).toEqual({ device_id: "DEHYDRATED1" });
    expect((await server.http.get(D, bob.accessToken)).body).toEqual({
      device_id: "DEHYDRATED1",
      device_data: { algorithm: "m.dehydration.v2", device_pickle: "opaque" },
    });
    const q = await server.http.post(
      `${K}/query`,
      { device_keys: { [bob.userId]: ["DEHYDRATED1"] } },
      alice.accessToken,
    );
    expect(q.body.device_keys[bob.userId].DEHYDRATED1.unsigned.device_display_name).toBe("Dehydrated device");

    // Alice sends bob's devices (all of them, `*`) 150 messages while none of bob's is online.
    for (let i = 0; i < 150; i++) {
      await server.http.put(
        `/_matrix/client/v3/sendToDevice/m.room_key_request/dh${i}`,
        { messages: { [bob.userId]: { "*": { n: i } } } },
        alice.accessToken,
      );
    }
    const events = (body: JsonObject) => server.http.post(`${D}/DEHYDRATED1/events`, body, bob.accessToken);
    const first = await events({});
    expect(first.body.events).toHaveLength(100);
    expect(first.body.events[0]).toEqual({
      sender: alice.userId,
      type: "m.room_key_request",
      content: { n: 0 },
    });
    const second = await events({ next_batch: first.body.next_batch });
    expect(second.body.events.map((e: { content: { n: number } }) => e.content.n)).toEqual(
      Array.from({ length: 50 }, (_, i) => 100 + i),
    );
    const done = await events({ next_batch: second.body.next_batch });
    expect(done.body.events).toEqual([]);
    // Acknowledged batches are gone: starting over yields nothing.
    expect((await events({})).body.events).toEqual([]);
    // Only one's own dehydrated device.
    expect((await server.http.post(`${D}/DEHYDRATED1/events`, {}, alice.accessToken)).status).toBe(403);

    // A new dehydrated device replaces the old one, its keys and its device.
    await server.http.put(D, { device_id: "DEHYDRATED2", device_data: { v: 2 } }, bob.accessToken);
    const devices = (await server.http.get("/_matrix/client/v3/devices", bob.accessToken)).body.devices.map(
      (d: { device_id: string }) => d.device_id,
    );
    expect(devices).toContain("DEHYDRATED2");
    expect(devices).not.toContain("DEHYDRATED1");
    expect(await server.services.store.e2eeKeys.getDeviceKeys(bob.userId, "DEHYDRATED1")).toBeUndefined();
    expect((await server.http.delete(D, undefined, bob.accessToken)).body).toEqual({
      device_id: "DEHYDRATED2",
    });
    expect((await server.http.get(D, bob.accessToken)).status).toBe(404);
  });
});
