/**
 * matrix-js-sdk with its Rust crypto as the judge of end-to-end encryption: two users exchange
 * messages in an encrypted room and each decrypts the other's exact plaintext while the database
 * holds only ciphertext; cross-signing and secret storage are bootstrapped through the SDK (UIA with
 * the password); a second login of the same user is verified by SAS over to-device and trusted; a
 * key backup made by the first device is restored by a third login, which decrypts the history.
 */
import * as sdk from "matrix-js-sdk";
import type {
  CryptoApi,
  GeneratedSecretStorageKey,
  ShowSasCallbacks,
  VerificationRequest,
  Verifier,
} from "matrix-js-sdk/lib/crypto-api/index.js";
import { CryptoEvent, VerificationPhase, VerifierEvent } from "matrix-js-sdk/lib/crypto-api/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietLogger as quiet, startSyncing } from "../support/sdk.js";
import { registerUser, startTestServer, type TestServer, type TestUser } from "../support/server.js";
import { serverDatabases } from "../support/store-engines.js";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const clients: sdk.MatrixClient[] = [];
/** Alice's secret storage key, given to her clients when they ask for it. */
let secretStorageKey: GeneratedSecretStorageKey | undefined;

async function startClient(user: TestUser): Promise<sdk.MatrixClient> {
  const client = sdk.createClient({
    baseUrl: server.url,
    accessToken: user.accessToken,
    userId: user.userId,
    deviceId: user.deviceId,
    logger: quiet,
    cryptoCallbacks: {
      getSecretStorageKey: async ({ keys }) => {
        const keyId = Object.keys(keys)[0];
        if (!keyId || !secretStorageKey) return null;
        return [keyId, secretStorageKey.privateKey];
      },
    },
  });
  clients.push(client);
  await client.initRustCrypto({ useIndexedDB: false });
  await startSyncing(client, 20);
  // The Rust crypto uploads the device's keys after the first sync: wait for them, as a device that
  // sends at once would have its first message withheld from devices not yet set up.
  await until(async () => {
    const counts = await server.services.store.e2eeKeys.oneTimeKeyCounts(user.userId, user.deviceId);
    return (counts.signed_curve25519 ?? 0) > 0 || undefined;
  }, `${user.deviceId}'s keys`);
  return client;
}

async function login(user: TestUser): Promise<TestUser> {
  const r = await server.http.post("/_matrix/client/v3/login", {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.userId },
    password: user.password,
  });
  return { ...user, accessToken: r.body.access_token, deviceId: r.body.device_id };
}

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The decrypted body of the event in the room with this body, once the client has decrypted it. */
function decryptedBody(client: sdk.MatrixClient, roomId: string, body: string): string | undefined {
  const room = client.getRoom(roomId);
  for (const event of room?.getLiveTimeline().getEvents() ?? []) {
    if (event.isEncrypted() && event.getClearContent()?.body === body) return body;
  }
  return undefined;
}

/** SQLite always; PostgreSQL too when the test run started a cluster (test/setup/postgres.ts). */
const engines = serverDatabases();

describe.each(engines)("end-to-end encryption through matrix-js-sdk's Rust crypto ($name)", (engine) => {
  beforeAll(async () => {
    clients.length = 0;
    secretStorageKey = undefined;
    server = await startTestServer(["--open-registration", "--no-rate-limits"], {
      database: await engine.database(),
    });
    alice = await registerUser(server.http, "alice", "alice's long password");
    bob = await registerUser(server.http, "bob", "bob's long password");
  });
  afterAll(async () => {
    for (const client of clients) client.stopClient();
    await server.close();
  });

  let aliceClient: sdk.MatrixClient;
  let bobClient: sdk.MatrixClient;
  let roomId: string;
  const fromAlice = "Top secret from alice: the eagle lands at 0600 🦅";
  const fromBob = "Bob's reply, also secret: understood, 0600";

  it("exchanges messages in an encrypted room; each decrypts the other's exact plaintext", async () => {
    aliceClient = await startClient(alice);
    bobClient = await startClient(bob);
    const created = await aliceClient.createRoom({
      invite: [bob.userId],
      initial_state: [
        { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
      ],
    });
    roomId = created.room_id;
    await until(() => bobClient.getRoom(roomId), "bob's invite");
    await bobClient.joinRoom(roomId);
    await until(
      () => aliceClient.getRoom(roomId)?.getMember(bob.userId)?.membership === "join",
      "alice seeing bob join",
    );

    await aliceClient.sendTextMessage(roomId, fromAlice);
    await until(() => decryptedBody(bobClient, roomId, fromAlice), "bob decrypting alice's message");
    await bobClient.sendTextMessage(roomId, fromBob);
    await until(() => decryptedBody(aliceClient, roomId, fromBob), "alice decrypting bob's message");
  });

  it("stores only ciphertext", async () => {
    const store = server.services.store;
    const events = await store.rooms.timeline(roomId, {
      from: Number.MAX_SAFE_INTEGER,
      direction: "b",
      limit: 100,
    });
    const messages = events.filter((e) => e.pdu.type === "m.room.encrypted");
    expect(messages.length).toBeGreaterThanOrEqual(2);
    const stored = JSON.stringify(events.map((e) => e.pdu));
    expect(stored).not.toContain("eagle");
    expect(stored).not.toContain("understood");
    for (const e of messages) expect(e.pdu.content.algorithm).toBe("m.megolm.v1.aes-sha2");
  });

  it("bootstraps cross-signing (UIA with the password) and secret storage with key backup", async () => {
    const crypto = aliceClient.getCrypto() as CryptoApi;
    let passwordsGiven = 0;
    const authUploadDeviceSigningKeys = async (
      makeRequest: (auth: sdk.AuthDict | null) => Promise<unknown>,
    ) => {
      try {
        await makeRequest(null);
      } catch (error) {
        const session = (error as sdk.MatrixError).data?.session as string | undefined;
        if (!session) throw error;
        passwordsGiven++;
        await makeRequest({
          type: "m.login.password",
          identifier: { type: "m.id.user", user: alice.userId },
          password: alice.password,
          session,
        });
      }
    };
    await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys });
    expect(await crypto.isCrossSigningReady()).toBe(true);
    expect(passwordsGiven).toBe(0); // the first upload needs no UIA
    // Let the key queries that the first upload set off settle: a /keys/query answered with the old
    // keys after the client made new private keys makes the Rust crypto drop the new ones.
    await new Promise((r) => setTimeout(r, 1500));
    // Resetting the keys needs the password: the callback above answers the 401.
    const masterBefore = (await server.services.store.e2eeKeys.crossSigningKeys([alice.userId])).find(
      (k) => k.type === "master",
    );
    await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys, setupNewCrossSigning: true });
    const masterAfter = (await server.services.store.e2eeKeys.crossSigningKeys([alice.userId])).find(
      (k) => k.type === "master",
    );
    expect(masterAfter?.publicKey).not.toBe(masterBefore?.publicKey);
    expect(passwordsGiven).toBe(1);
    // The client re-reads its own identity when sync reports its device list changed.
    await until(
      () => crypto.isCrossSigningReady().then((ready: boolean) => ready || undefined),
      "cross-signing ready",
    );

    await crypto.bootstrapSecretStorage({
      createSecretStorageKey: async () => {
        secretStorageKey = await crypto.createRecoveryKeyFromPassphrase();
        return secretStorageKey;
      },
      setupNewSecretStorage: true,
      setupNewKeyBackup: true,
    });
    expect(await crypto.isSecretStorageReady()).toBe(true);
    const version = await until(
      () => crypto.getActiveSessionBackupVersion().then((v: string | null) => v ?? undefined),
      "backup",
    );
    // The room key of alice's message reaches the backup.
    const backup = await until(async () => {
      const v = await server.services.store.keyBackup.getVersion(alice.userId, version);
      return v && v.count > 0 ? v : undefined;
    }, "alice's room keys in the backup");
    expect(backup.algorithm).toBe("m.megolm_backup.v1.curve25519-aes-sha2");
    // Secret storage lives in account data, encrypted.
    const keyId = await aliceClient.secretStorage.getDefaultKeyId();
    expect(keyId).toBeTruthy();
  });

  it("verifies a second login by SAS over to-device, and then trusts it", async () => {
    const second = await login(alice);
    const secondClient = await startClient(second);
    const c1 = aliceClient.getCrypto() as CryptoApi;
    const c2 = secondClient.getCrypto() as CryptoApi;
    await until(
      async () =>
        (await c1.getUserDeviceInfo([alice.userId], true)).get(alice.userId)?.has(second.deviceId)
          ? true
          : undefined,
      "device 1 seeing device 2",
    );
    expect((await c1.getDeviceVerificationStatus(alice.userId, second.deviceId))?.crossSigningVerified).toBe(
      false,
    );

    const received = new Promise<VerificationRequest>((resolve) =>
      aliceClient.on(CryptoEvent.VerificationRequestReceived, resolve),
    );
    // The new device asks the user's other devices; the first one answers.
    const request1 = await c2.requestOwnUserVerification();
    const request2 = await received;
    await request2.accept();
    await until(() => request1.phase === VerificationPhase.Ready || undefined, "request ready");
    const verifier1 = await request1.startVerification("m.sas.v1");
    await until(() => request2.verifier, "the other side's verifier");
    const verifier2 = request2.verifier as Verifier;
    for (const verifier of [verifier1, verifier2]) {
      verifier.on(VerifierEvent.ShowSas, (sas: ShowSasCallbacks) => {
        void sas.confirm();
      });
    }
    // Both sides show the same emoji: the SAS is computed from the keys each got over to-device.
    const shown = await Promise.all([
      new Promise<string>((r) =>
        verifier1.once(VerifierEvent.ShowSas, (s: ShowSasCallbacks) => r(JSON.stringify(s.sas.emoji))),
      ),
      new Promise<string>((r) =>
        verifier2.once(VerifierEvent.ShowSas, (s: ShowSasCallbacks) => r(JSON.stringify(s.sas.emoji))),
      ),
      verifier1.verify(),
      verifier2.verify(),
    ]);
    expect(shown[0]).toBe(shown[1]);
    await until(() => request1.phase === VerificationPhase.Done || undefined, "verification done");

    // The new device now trusts the first one and cross-signs itself; the first sees it trusted.
    await until(
      async () =>
        (await c1.getDeviceVerificationStatus(alice.userId, second.deviceId))?.crossSigningVerified
          ? true
          : undefined,
      "device 2 cross-signed in device 1's eyes",
    );
  });

  it("restores the key backup on a third login, which decrypts the history", async () => {
    const third = await login(alice);
    const thirdClient = await startClient(third);
    const crypto = thirdClient.getCrypto() as CryptoApi;
    await until(() => thirdClient.getRoom(roomId), "the room on the third login");
    await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
    const restored = await crypto.restoreKeyBackup();
    expect(restored.imported).toBeGreaterThan(0);
    await until(() => decryptedBody(thirdClient, roomId, fromAlice), "the third login decrypting history");
    await until(
      () => decryptedBody(thirdClient, roomId, fromBob),
      "the third login decrypting bob's message",
    );
  });

  it("dehydrates a device that gets room keys while alice is offline; a new login rehydrates it and decrypts", async () => {
    const crypto = aliceClient.getCrypto() as CryptoApi;
    expect(await crypto.isDehydrationSupported()).toBe(true);
    await crypto.startDehydration({ createNewKey: true });
    const dehydrated = await until(
      () => server.services.store.dehydratedDevices.get(alice.userId),
      "the dehydrated device",
    );
    // Bob's client learns of the new device from the device list change and sees it as dehydrated.
    const bobCrypto = bobClient.getCrypto() as CryptoApi;
    await until(
      async () =>
        (await bobCrypto.getUserDeviceInfo([alice.userId], true)).get(alice.userId)?.get(dehydrated.deviceId)
          ?.dehydrated
          ? true
          : undefined,
      "bob seeing alice's dehydrated device",
    );
    // Every device of alice goes offline; bob writes.
    for (const client of clients) if (client.getUserId() === alice.userId) client.stopClient();
    const whileAway = "Written while every device of alice was offline";
    await bobClient.sendTextMessage(roomId, whileAway);
    const inbox = await server.services.store.toDevice.pending(
      alice.userId,
      dehydrated.deviceId,
      0,
      Number.MAX_SAFE_INTEGER,
      100,
    );
    expect(inbox.some((m) => m.type === "m.room.encrypted")).toBe(true);

    // A new login rehydrates the device (reading its to-device messages) and decrypts bob's message.
    const fourth = await login(alice);
    const fourthClient = await startClient(fourth);
    const fourthCrypto = fourthClient.getCrypto() as CryptoApi;
    // The new login takes the cross-signing keys from secret storage (it must be cross-signed to
    // dehydrate), and then rehydrates. The private keys are checked against alice's public identity,
    // so the client must have downloaded that first (its first /keys/query can still be in flight
    // when the client has started).
    await until(
      async () => ((await fourthCrypto.userHasCrossSigningKeys(alice.userId, true)) ? true : undefined),
      "the new login knowing alice's cross-signing identity",
    );
    await fourthCrypto.bootstrapCrossSigning({});
    const rehydrated = new Promise<void>((resolve) =>
      fourthClient.on(CryptoEvent.RehydrationCompleted, () => resolve()),
    );
    await fourthCrypto.startDehydration({ rehydrate: true });
    await rehydrated;
    await until(
      () => decryptedBody(fourthClient, roomId, whileAway),
      "the rehydrated keys decrypting bob's message",
    );
    // The events endpoint was read to the end, and a fresh dehydrated device replaced the old one.
    expect(
      await server.services.store.toDevice.pending(
        alice.userId,
        dehydrated.deviceId,
        0,
        Number.MAX_SAFE_INTEGER,
        100,
      ),
    ).toEqual([]);
    const replacement = await server.services.store.dehydratedDevices.get(alice.userId);
    expect(replacement?.deviceId).not.toBe(dehydrated.deviceId);
  });
});
