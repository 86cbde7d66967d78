import { describe, expect, it } from "vitest";
import { encodeCanonicalJson } from "./canonical-json.js";
import { cloneJson, isJsonObject, type JsonObject, setJsonMember } from "./json.js";

describe("isJsonObject", () => {
  it("is true for objects only", () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject("{}")).toBe(false);
  });
});

describe("cloneJson", () => {
  it("copies deeply", () => {
    const value: JsonObject = { a: [1, { b: "c" }], d: null, e: true };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    (copy.a as JsonObject[])[1]!.b = "changed";
    expect(value).toEqual({ a: [1, { b: "c" }], d: null, e: true });
  });

  it("keeps a `__proto__` member that JSON.parse produced, instead of changing the prototype", () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"a":2}') as JsonObject;
    const copy = cloneJson(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(encodeCanonicalJson(copy)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe("setJsonMember", () => {
  it("sets ordinary and `__proto__` members alike", () => {
    const object: JsonObject = {};
    setJsonMember(object, "a", 1);
    setJsonMember(object, "__proto__", { polluted: true });
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(({} as JsonObject).polluted).toBeUndefined();
    expect(encodeCanonicalJson(object)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});

describe("cloneJson on hostile input", () => {
  it("copies values nested deeper than the call stack", () => {
    let text = "1";
    for (let i = 0; i < 100_000; i++) text = `[${text}]`;
    const deep = JSON.parse(text);
    let copy = cloneJson(deep);
    expect(copy === deep).toBe(false); // (not.toBe would pretty-print the value recursively)
    for (let i = 0; i < 100_000; i++) copy = copy[0];
    expect(copy).toBe(1);
  });

  it("keeps array order and holes as they are", () => {
    expect(cloneJson([3, [2, [1]], { a: [0] }])).toEqual([3, [2, [1]], { a: [0] }]);
  });
});
