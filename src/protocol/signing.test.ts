import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { encodeCanonicalJsonBytes } from "./canonical-json.js";
import {
  generateSigningKey,
  mergeSignatures,
  publicKeyBase64FromSeed,
  publicKeyFromSeed,
  readSignatures,
  signBytes,
  signJson,
  verifyBytes,
  verifyJsonSignature,
} from "./signing.js";

// content/appendices.md "Cryptographic Test Vectors": "The following test vectors all use the 32-byte
// value given by the following Base64-encoded string as the seed for generating the ed25519 signing key"
const SIGNING_KEY_SEED = decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
const SERVER_NAME = "domain";
const KEY_ID = "ed25519:1";
// The public key of that seed (RFC 8032 derivation; the spec does not print it).
const PUBLIC_KEY = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";

describe("the appendix signing key", () => {
  it("decodes to 32 bytes although its last character has non-zero spare bits", () => {
    expect(SIGNING_KEY_SEED.length).toBe(32);
  });

  it("derives its public key", async () => {
    expect(encodeBase64(await publicKeyFromSeed(SIGNING_KEY_SEED))).toBe(PUBLIC_KEY);
    expect(await publicKeyBase64FromSeed(SIGNING_KEY_SEED)).toBe(PUBLIC_KEY);
  });
});

describe("JSON signing: content/appendices.md 'JSON Signing'", () => {
  it("signs an empty object", async () => {
    expect(await signJson({}, SERVER_NAME, KEY_ID, SIGNING_KEY_SEED)).toEqual({
      signatures: {
        domain: {
          "ed25519:1":
            "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ",
        },
      },
    });
  });

  it("signs an object with data values", async () => {
    expect(await signJson({ one: 1, two: "Two" }, SERVER_NAME, KEY_ID, SIGNING_KEY_SEED)).toEqual({
      one: 1,
      signatures: {
        domain: {
          "ed25519:1":
            "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
        },
      },
      two: "Two",
    });
  });

  it("ignores `unsigned` and existing `signatures`, keeps both, and does not mutate its input", async () => {
    const input = {
      one: 1,
      two: "Two",
      unsigned: { age_ts: 922834800000 },
      signatures: { "other.example": { "ed25519:x": "c2ln" } },
    };
    const copy = structuredClone(input);
    const signed = await signJson(input, SERVER_NAME, KEY_ID, SIGNING_KEY_SEED);
    expect(input).toEqual(copy);
    expect(signed).toEqual({
      one: 1,
      two: "Two",
      unsigned: { age_ts: 922834800000 },
      signatures: {
        "other.example": { "ed25519:x": "c2ln" },
        domain: {
          "ed25519:1":
            "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
        },
      },
    });
  });

  it("adds a second key's signature next to the first for the same server", async () => {
    const once = await signJson({}, SERVER_NAME, KEY_ID, SIGNING_KEY_SEED);
    const other = generateSigningKey();
    const twice = await signJson(once, SERVER_NAME, other.keyId, other.seed);
    expect(Object.keys(twice.signatures.domain!).sort()).toEqual([KEY_ID, other.keyId].sort());
    expect(await verifyJsonSignature(twice, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(true);
    expect(
      await verifyJsonSignature(twice, SERVER_NAME, other.keyId, await publicKeyBase64FromSeed(other.seed)),
    ).toBe(true);
  });
});

describe("checking a signature: content/appendices.md 'Checking for a Signature'", () => {
  const signedEmpty = {
    signatures: {
      domain: {
        "ed25519:1": "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ",
      },
    },
  };

  it("accepts the appendix signature, with unsigned data added in transit", async () => {
    expect(await verifyJsonSignature(signedEmpty, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(true);
    const withUnsigned = { ...signedEmpty, unsigned: { age: 5 } };
    expect(await verifyJsonSignature(withUnsigned, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(true);
  });

  it("fails when a signed key was changed", async () => {
    expect(await verifyJsonSignature({ ...signedEmpty, extra: 1 }, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(
      false,
    );
  });

  it("fails when the entity or key has no entry", async () => {
    expect(await verifyJsonSignature(signedEmpty, "other", KEY_ID, PUBLIC_KEY)).toBe(false);
    expect(await verifyJsonSignature(signedEmpty, SERVER_NAME, "ed25519:2", PUBLIC_KEY)).toBe(false);
    expect(await verifyJsonSignature({}, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(false);
  });

  it("fails for an algorithm it does not understand", async () => {
    const odd = { signatures: { domain: { "curve25519:1": signedEmpty.signatures.domain["ed25519:1"] } } };
    expect(await verifyJsonSignature(odd, SERVER_NAME, "curve25519:1", PUBLIC_KEY)).toBe(false);
  });

  it("fails when base64 decoding fails or the key is malformed", async () => {
    const bad = { signatures: { domain: { "ed25519:1": "!!!" } } };
    expect(await verifyJsonSignature(bad, SERVER_NAME, KEY_ID, PUBLIC_KEY)).toBe(false);
    expect(await verifyJsonSignature(signedEmpty, SERVER_NAME, KEY_ID, "!!!")).toBe(false);
    expect(await verifyJsonSignature(signedEmpty, SERVER_NAME, KEY_ID, "AAAA")).toBe(false);
  });

  it("fails with another server's public key", async () => {
    const other = await publicKeyBase64FromSeed(generateSigningKey().seed);
    expect(await verifyJsonSignature(signedEmpty, SERVER_NAME, KEY_ID, other)).toBe(false);
  });
});

describe("raw signatures", () => {
  it("verify what they signed and nothing else", async () => {
    const bytes = encodeCanonicalJsonBytes({});
    const signature = await signBytes(bytes, SIGNING_KEY_SEED);
    const publicKey = decodeBase64(PUBLIC_KEY);
    expect(signature.length).toBe(64);
    expect(await verifyBytes(bytes, signature, publicKey)).toBe(true);
    expect(await verifyBytes(new Uint8Array([1]), signature, publicKey)).toBe(false);
    expect(await verifyBytes(bytes, signature.slice(1), publicKey)).toBe(false);
  });

  it("reject a seed of the wrong length", async () => {
    await expect(signBytes(new Uint8Array(1), new Uint8Array(31))).rejects.toThrow("32 bytes");
  });
});

describe("generateSigningKey", () => {
  it("makes a 32-byte seed and an ed25519 key ID whose version matches [a-zA-Z0-9_]", () => {
    const key = generateSigningKey();
    expect(key.seed.length).toBe(32);
    expect(key.keyId).toMatch(/^ed25519:[a-zA-Z0-9]{8}$/);
    expect(generateSigningKey().keyId).not.toBe(key.keyId);
  });

  it("is deterministic given a random source", () => {
    let counter = 0;
    const random = (n: number) => Uint8Array.from({ length: n }, () => counter++ % 256);
    const key = generateSigningKey(random);
    expect(Array.from(key.seed)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    // Bytes 32..39 → alphabet[32 % 62] ... = "ghijklmn"
    expect(key.keyId).toBe("ed25519:ghijklmn");
  });
});

describe("signatures helpers", () => {
  it("readSignatures drops malformed entries", () => {
    expect(readSignatures({ signatures: { a: { k: "s", n: 1 }, b: "x", c: [] } })).toEqual({ a: { k: "s" } });
    expect(readSignatures({ signatures: [] })).toEqual({});
  });

  it("keep an entity named `__proto__` as a member, not a prototype", () => {
    const object = JSON.parse('{"signatures":{"__proto__":{"ed25519:1":"s"}}}');
    const read = readSignatures(object);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(["__proto__"]);
    const merged = mergeSignatures(read, { a: { k: "1" } });
    expect(JSON.stringify(merged)).toBe('{"__proto__":{"ed25519:1":"s"},"a":{"k":"1"}}');
  });

  it("mergeSignatures keeps both and does not mutate", () => {
    const base = { a: { k1: "1" } };
    expect(mergeSignatures(base, { a: { k2: "2" }, b: { k: "3" } })).toEqual({
      a: { k1: "1", k2: "2" },
      b: { k: "3" },
    });
    expect(base).toEqual({ a: { k1: "1" } });
  });
});
