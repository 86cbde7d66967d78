import { describe, expect, it } from "vitest";
import { randomAlphanumeric } from "./random.js";

describe("randomAlphanumeric", () => {
  it("maps bytes to [A-Za-z0-9] and skips bytes ≥ 248", () => {
    const bytes = [0, 25, 26, 51, 52, 61, 62, 248, 255, 123];
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => bytes[i] ?? 0);
    // 0→A 25→Z 26→a 51→z 52→0 61→9 62→A (62 % 62) 248,255 skipped 123→9 (123 % 62 = 61)
    expect(randomAlphanumeric(8, random)).toBe("AZaz09A9");
  });

  it("uses the platform CSPRNG by default", () => {
    const id = randomAlphanumeric(24);
    expect(id).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(randomAlphanumeric(24)).not.toBe(id);
  });
});
