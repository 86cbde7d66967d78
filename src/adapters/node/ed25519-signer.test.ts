import { describe, expect, it } from "vitest";
import { generateSigningKey, signBytes } from "../../protocol/signing.js";
import { nodeEd25519Signer } from "./ed25519-signer.js";

describe("nodeEd25519Signer", () => {
  it("makes exactly WebCrypto's signatures (Ed25519 is deterministic)", async () => {
    const { seed } = generateSigningKey();
    const sign = nodeEd25519Signer(seed);
    for (const text of ["", "{}", '{"a":1,"b":"ü"}', "x".repeat(5000)]) {
      const bytes = new TextEncoder().encode(text);
      expect(Buffer.from(await sign(bytes)).toString("hex")).toBe(
        Buffer.from(await signBytes(bytes, seed)).toString("hex"),
      );
    }
  });
});
