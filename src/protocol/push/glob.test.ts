import { describe, expect, it } from "vitest";
import { globMatches } from "./glob.js";

describe("glob matching (appendices 'Glob-style matching')", () => {
  // client-server-api "event_match": key content.topic, pattern "lunc?*".
  it.each([
    ["lunc?*", "Lunch plans", true],
    ["lunc?*", "LUNCH", true], // "case-insensitive; `*` may match zero characters"
    ["lunc?*", " lunch", false], // "note leading space"
    ["lunc?*", "lunc", false], // "`?` must match a character"
    ["*", "", true],
    ["?", "", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["", "", true],
    ["", "x", false],
    ["m.notice", "m.notice", true],
    ["m.notice", "mXnotice", false], // a dot is just a dot
    ["ünï", "ÜNÏ", true],
    ["?", "😀", true], // one character, not one UTF-16 unit
  ])("whole value: %j against %j is %s", (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  // "if key is content.body and pattern is ex*ple": "An example event." matches, and so do "exple"
  // and "An exciting triple-whammy".
  it.each([
    ["ex*ple", "An example event.", true],
    ["ex*ple", "exple", true], // "the pattern can match at the start and end of the body"
    ["ex*ple", "An exciting triple-whammy", true], // "`-` acts as a word separator"
    ["ex*ple", "An examples event", false], // ends inside a word
    ["ex*ple", "Anexample", false], // starts inside a word
    ["cake", "I like CAKE!", true],
    ["cake", "cupcake", false],
    ["cake", "cake_shop", false], // `_` is a word character
    ["@room", "hello @room!", true],
    ["@room", "x@room", false],
    ["cake*lie", "the cake is a lie", true],
  ])("word boundaries: %j in %j is %s", (pattern, value, expected) => {
    expect(globMatches(pattern, value, { wordBoundary: true })).toBe(expected);
  });

  it("matches * across new lines", () => {
    expect(globMatches("a*b", "a\n\nb")).toBe(true);
  });

  it("treats * and ? literally when asked (display names)", () => {
    expect(globMatches("Al*ce", "hi Alice", { wordBoundary: true, literal: true })).toBe(false);
    expect(globMatches("Al*ce", "hi al*ce there", { wordBoundary: true, literal: true })).toBe(true);
  });

  it("takes linear-ish time on patterns that make backtracking engines explode", () => {
    const started = performance.now();
    const body = "a".repeat(20_000);
    expect(globMatches("*a*a*a*a*a*a*a*a*b", body, { wordBoundary: true })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
