import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertCanonicalJson,
  CanonicalJsonError,
  compareByCodePoint,
  encodeCanonicalJson,
  encodeCanonicalJsonBytes,
  findCanonicalJsonViolation,
  MAX_DEPTH,
} from "./canonical-json.js";
import type { JsonValue } from "./json.js";

describe("canonical JSON: the examples in content/appendices.md", () => {
  // Each input is written as JSON text and parsed, exactly as the appendix gives it.
  const examples: [string, string][] = [
    ["{}", "{}"],
    ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
    ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
    ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
    [
      `{
    "auth": {
        "success": true,
        "mxid": "@john.doe:example.com",
        "profile": {
            "display_name": "John Doe",
            "three_pids": [
                {
                    "medium": "email",
                    "address": "john.doe@example.org"
                },
                {
                    "medium": "msisdn",
                    "address": "123456789"
                }
            ]
        }
    }
}`,
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    ['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
    ['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
    ['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
    ['{\n    "a": null\n}', '{"a":null}'],
    ['{\n    "a": -0,\n    "b": 1e10\n}', '{"a":0,"b":10000000000}'],
  ];

  for (const [input, expected] of examples) {
    it(`encodes ${JSON.stringify(input)}`, () => {
      expect(encodeCanonicalJson(JSON.parse(input))).toBe(expected);
    });
  }

  it("encodes non-ASCII as UTF-8 bytes, not \\u escapes", () => {
    expect(Array.from(encodeCanonicalJsonBytes({ a: "日" }))).toEqual([
      0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe6, 0x97, 0xa5, 0x22, 0x7d,
    ]);
  });
});

describe("canonical JSON: string escaping per the grammar", () => {
  // "u000X, where X is [0-7, b, e, f]" and "u001X, where X is [0-9, a-f]"; dedicated escapes for
  // b t n f r " \.
  it("uses the dedicated short escapes", () => {
    expect(encodeCanonicalJson('\b\t\n\f\r"\\')).toBe('"\\b\\t\\n\\f\\r\\"\\\\"');
  });

  it("writes other ASCII control characters as lower-case \\u00XX", () => {
    expect(encodeCanonicalJson("\u0000\u0001\u0007\u000b\u000e\u000f\u001a\u001f")).toBe(
      '"\\u0000\\u0001\\u0007\\u000b\\u000e\\u000f\\u001a\\u001f"',
    );
  });

  it("does not escape DEL, '/', U+2028, U+2029 or astral characters", () => {
    expect(encodeCanonicalJson("\u007f/\u2028\u2029😀")).toBe('"\u007f/\u2028\u2029😀"');
  });

  it("rejects lone surrogates, which have no UTF-8 encoding", () => {
    expect(() => encodeCanonicalJson("a\ud800")).toThrow(CanonicalJsonError);
    expect(() => encodeCanonicalJson({ "\udc00": 1 })).toThrow(CanonicalJsonError);
  });
});

describe("canonical JSON: key order by code point", () => {
  it("puts astral keys after U+E000–U+FFFF, unlike the default UTF-16 sort", () => {
    const astral = "\u{1F600}"; // UTF-16: D83D DE00
    const bmpHigh = "\uFB01"; // ﬁ, code point U+FB01 < U+1F600
    expect([astral, bmpHigh].sort()).toEqual([astral, bmpHigh]); // the trap
    expect(encodeCanonicalJson({ [astral]: 1, [bmpHigh]: 2 })).toBe(`{"${bmpHigh}":2,"${astral}":1}`);
  });

  it("sorts by code point, the same as UTF-8 byte order", () => {
    const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
    const compareBytes = (a: number[], b: number[]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    };
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(Math.sign(compareByCodePoint(a, b))).toBe(Math.sign(compareBytes(bytes(a), bytes(b))));
      }),
    );
  });

  it("sorts nested keys and keeps array order", () => {
    expect(encodeCanonicalJson({ z: [3, 1, { y: 1, x: 2 }], a: { c: true, b: false } })).toBe(
      '{"a":{"b":false,"c":true},"z":[3,1,{"x":2,"y":1}]}',
    );
  });

  it("puts a key before a longer key it is a prefix of", () => {
    expect(encodeCanonicalJson({ ab: 1, a: 2, "": 3 })).toBe('{"":3,"a":2,"ab":1}');
  });
});

describe("canonical JSON: numbers", () => {
  it("accepts integers at the edges of [-(2**53)+1, (2**53)-1]", () => {
    expect(encodeCanonicalJson([2 ** 53 - 1, -(2 ** 53) + 1])).toBe("[9007199254740991,-9007199254740991]");
  });

  it("rejects integers just outside the range when strict", () => {
    expect(findCanonicalJsonViolation({ a: 2 ** 53 })?.violation).toBe("integer_out_of_range");
    expect(findCanonicalJsonViolation({ a: -(2 ** 53) })?.violation).toBe("integer_out_of_range");
  });

  it("rejects floats when strict: 'Float values are not permitted by this encoding'", () => {
    const error = findCanonicalJsonViolation({ content: { n: [1, 1.5] } });
    expect(error).toBeInstanceOf(CanonicalJsonError);
    expect(error?.violation).toBe("float");
    expect(error?.path).toBe("/content/n/1");
  });

  it("tolerates floats and big integers when not strict (room versions 1–5)", () => {
    expect(encodeCanonicalJson({ a: 1.5, b: 2 ** 53, c: 1e21 }, { strict: false })).toBe(
      '{"a":1.5,"b":9007199254740992,"c":1000000000000000000000}',
    );
  });

  it("rejects NaN and infinities even when not strict", () => {
    expect(findCanonicalJsonViolation(Number.NaN, { strict: false })?.violation).toBe("not_finite");
    expect(findCanonicalJsonViolation([Number.POSITIVE_INFINITY], { strict: false })?.violation).toBe(
      "not_finite",
    );
  });
});

describe("canonical JSON: validation", () => {
  it("accepts valid values", () => {
    expect(findCanonicalJsonViolation({ a: [1, "x", null, true, { b: -3 }] })).toBeUndefined();
    expect(() => assertCanonicalJson({ a: 1 })).not.toThrow();
  });

  it("rejects non-JSON values", () => {
    expect(findCanonicalJsonViolation({ a: new Date(0) })?.violation).toBe("not_json");
    expect(findCanonicalJsonViolation([undefined])?.violation).toBe("not_json");
    expect(findCanonicalJsonViolation({ a: 1n })?.violation).toBe("not_json");
    expect(() => assertCanonicalJson(() => 1)).toThrow(CanonicalJsonError);
  });

  it("skips undefined members as JSON.stringify does", () => {
    expect(encodeCanonicalJson({ a: 1, b: undefined } as unknown as JsonValue)).toBe('{"a":1}');
  });

  it("refuses nesting deeper than MAX_DEPTH instead of overflowing the stack", () => {
    let text = "1";
    for (let i = 0; i < 100_000; i++) text = `[${text}]`;
    expect(findCanonicalJsonViolation(JSON.parse(text))?.violation).toBe("too_deep");
    const atLimit = JSON.parse(`${"[".repeat(MAX_DEPTH)}1${"]".repeat(MAX_DEPTH)}`);
    expect(encodeCanonicalJson(atLimit)).toBe(`${"[".repeat(MAX_DEPTH)}1${"]".repeat(MAX_DEPTH)}`);
    const overLimit = JSON.parse(`${"[".repeat(MAX_DEPTH + 1)}1${"]".repeat(MAX_DEPTH + 1)}`);
    expect(findCanonicalJsonViolation(overLimit)?.violation).toBe("too_deep");
  });

  it("names the path in the message", () => {
    expect(() => encodeCanonicalJson({ content: { x: 0.5 } })).toThrow(
      "not canonical JSON (float) at /content/x",
    );
  });
});

describe("canonical JSON: properties", () => {
  it("round-trips through JSON.parse and is stable", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (raw) => {
        // fast-check may produce floats and -0; keep the values strict canonical JSON allows.
        const value = JSON.parse(JSON.stringify(raw, (_k, v) => (typeof v === "number" ? Math.trunc(v) : v)));
        if (findCanonicalJsonViolation(value) !== undefined) return;
        const encoded = encodeCanonicalJson(value);
        expect(encodeCanonicalJson(JSON.parse(encoded))).toBe(encoded);
        expect(JSON.parse(encoded)).toEqual(value);
      }),
    );
  });
});
