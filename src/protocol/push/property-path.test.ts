import { describe, expect, it } from "vitest";
import { parsePropertyPath, propertyAt } from "./property-path.js";

describe("dot-separated property paths (appendices)", () => {
  it.each([
    ["content.body", ["content", "body"]],
    // "a property `m.relates_to` in the `content` would be expressed as `content.m\.relates_to`"
    ["content.m\\.relates_to", ["content", "m.relates_to"]],
    // "a `content` property named `m\foo` would be expressed as `content.m\\foo`"
    ["content.m\\\\foo", ["content", "m\\foo"]],
    // "a `\x` would be treated as a literal backslash followed by 'x'"
    ["content.a\\x", ["content", "a\\x"]],
    ["type", ["type"]],
    ["content.m\\.mentions.user_ids", ["content", "m.mentions", "user_ids"]],
  ])("%s", (path, names) => {
    expect(parsePropertyPath(path)).toEqual(names);
  });

  it("looks values up and is undefined for anything missing or not an object", () => {
    const event = { content: { "m.relates_to": { rel_type: "m.replace" }, body: "x", list: [1] } };
    expect(propertyAt(event, "content.m\\.relates_to.rel_type")).toBe("m.replace");
    expect(propertyAt(event, "content.m.relates_to.rel_type")).toBeUndefined();
    expect(propertyAt(event, "content.body.length")).toBeUndefined();
    expect(propertyAt(event, "content.list")).toEqual([1]);
    expect(propertyAt(event, "content.toString")).toBeUndefined();
  });
});
