import { describe, expect, it } from "vitest";
import { sha256Sync } from "./sha256.js";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const utf8 = (text: string) => new TextEncoder().encode(text);

describe("sha256Sync", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
  ])("matches the FIPS 180-4 example for %j", (input, digest) => {
    expect(hex(sha256Sync(utf8(input)))).toBe(digest);
  });

  it("agrees with WebCrypto on every length around the block boundaries", async () => {
    for (let length = 0; length < 300; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
      const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      expect(hex(sha256Sync(bytes))).toBe(hex(expected));
    }
  });
});
