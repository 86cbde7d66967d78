import { describe, expect, it } from "vitest";

describe("test environment", () => {
  it("polyfills Promise.withResolvers for matrix-js-sdk on Node 20", () => {
    const { promise, resolve } = Promise.withResolvers<number>();
    resolve(1);
    return expect(promise).resolves.toBe(1);
  });
});
