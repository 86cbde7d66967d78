import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Base64Error, decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from "./base64.js";

const ascii = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("unpadded base64 (content/appendices.md)", () => {
  // UNPADDED_BASE64("") = "" ... UNPADDED_BASE64("foobar") = "Zm9vYmFy"
  const examples: [string, string][] = [
    ["", ""],
    ["f", "Zg"],
    ["fo", "Zm8"],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg"],
    ["fooba", "Zm9vYmE"],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, encoded] of examples) {
    it(`UNPADDED_BASE64(${JSON.stringify(plain)}) = ${JSON.stringify(encoded)}`, () => {
      expect(encodeBase64(ascii(plain))).toBe(encoded);
      expect(text(decodeBase64(encoded))).toBe(plain);
    });
  }

  it("decodes padded input too: 'SHOULD accept input with or without padding characters'", () => {
    expect(text(decodeBase64("Zg=="))).toBe("f");
    expect(text(decodeBase64("Zm8="))).toBe("fo");
    expect(text(decodeBase64("Zm9vYmFy"))).toBe("foobar");
  });

  it("uses + and / in the standard alphabet, - and _ in the URL-safe one", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(encodeBase64(bytes)).toBe("+/+/");
    expect(encodeBase64Url(bytes)).toBe("-_-_");
    expect(Array.from(decodeBase64Url("-_-_"))).toEqual([0xfb, 0xff, 0xbf]);
  });

  it("rejects the other alphabet's characters", () => {
    expect(() => decodeBase64("-_-_")).toThrow(Base64Error);
    expect(() => decodeBase64Url("+/+/")).toThrow(Base64Error);
  });

  it("rejects malformed input", () => {
    for (const bad of ["Z", "Zm9vY", "Zg=", "Z===", "Zm 9v", "Zm9v!", "Zm9vé", "=Zm9", "Zg==Zg=="]) {
      expect(() => decodeBase64(bad), bad).toThrow(Base64Error);
    }
  });

  it("matches Node's Buffer on random bytes, and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(encodeBase64(bytes)).toBe(buffer.toString("base64").replace(/=+$/, ""));
        expect(encodeBase64Url(bytes)).toBe(buffer.toString("base64url"));
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
        expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
        expect(decodeBase64(buffer.toString("base64"))).toEqual(bytes);
      }),
    );
  });
});
