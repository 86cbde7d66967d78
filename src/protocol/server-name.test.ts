import { describe, expect, it } from "vitest";
import {
  isDnsName,
  isIPv4Address,
  isIPv6Address,
  isValidServerName,
  parseServerName,
} from "./server-name.js";

describe("server names: the examples in content/appendices.md 'Server Name'", () => {
  it("parses `matrix.org`", () => {
    expect(parseServerName("matrix.org")).toEqual({
      serverName: "matrix.org",
      host: "matrix.org",
      hostKind: "dns",
    });
  });
  it("parses `matrix.org:8888`", () => {
    expect(parseServerName("matrix.org:8888")).toEqual({
      serverName: "matrix.org:8888",
      host: "matrix.org",
      hostKind: "dns",
      port: 8888,
    });
  });
  it("parses `1.2.3.4` (IPv4 literal)", () => {
    expect(parseServerName("1.2.3.4")).toEqual({ serverName: "1.2.3.4", host: "1.2.3.4", hostKind: "ipv4" });
  });
  it("parses `1.2.3.4:1234` (IPv4 literal with explicit port)", () => {
    expect(parseServerName("1.2.3.4:1234")).toEqual({
      serverName: "1.2.3.4:1234",
      host: "1.2.3.4",
      hostKind: "ipv4",
      port: 1234,
    });
  });
  it("parses `[1234:5678::abcd]` (IPv6 literal)", () => {
    expect(parseServerName("[1234:5678::abcd]")).toEqual({
      serverName: "[1234:5678::abcd]",
      host: "[1234:5678::abcd]",
      hostKind: "ipv6",
    });
  });
  it("parses `[1234:5678::abcd]:5678` (IPv6 literal with explicit port)", () => {
    expect(parseServerName("[1234:5678::abcd]:5678")).toEqual({
      serverName: "[1234:5678::abcd]:5678",
      host: "[1234:5678::abcd]",
      hostKind: "ipv6",
      port: 5678,
    });
  });
});

describe("server names: more valid", () => {
  const valid = [
    "localhost",
    "localhost:8448",
    "a",
    "x-y.example",
    "-odd-.example", // the spec's dns-char grammar allows hyphens anywhere in a label
    "MATRIX.ORG", // allowed ("should not use upper-case"), and distinct from matrix.org
    "123.example",
    "1.2.3", // three numbers are a DNS name, not an IPv4 literal
    "1234.1.1.1", // the dns-name grammar admits it; it is not shaped like an IPv4 literal
    "0.0.0.0",
    "255.255.255.255:65535",
    "[::1]",
    "[::]:0",
    "[::ffff:192.0.2.1]",
    "[2001:DB8:0:0:8:800:200C:417A]",
    "[1:2:3:4:5:6:7:8]:99",
    "[1:2:3:4:5:6:1.2.3.4]",
    `${"a".repeat(255)}`,
    `${"a".repeat(255)}:1`,
  ];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, () => {
      expect(isValidServerName(name)).toBe(true);
    });
  }

  it("keeps case: `MATRIX.ORG` is not normalised", () => {
    expect(parseServerName("MATRIX.ORG")?.host).toBe("MATRIX.ORG");
  });
});

describe("server names: invalid", () => {
  const invalid = [
    "",
    ":8448",
    "matrix.org:",
    "matrix.org:123456", // port is 1*5DIGIT
    "matrix.org:65536", // within 5 digits but not a TCP port
    "matrix.org:-1",
    "matrix.org:80a",
    "matrix.org:8448:1",
    "matrix..org",
    ".matrix.org",
    "matrix.org.",
    "matrix_org",
    "matrix org",
    "mätrix.org",
    "matrix.org/path",
    "user@matrix.org",
    "1.2.3.256", // looks like an IPv4 literal, so must be one
    "1.2.3.4.", // empty label
    "[1234:5678::abcd", // unclosed bracket
    "1234:5678::abcd", // IPv6 without brackets
    "[]",
    "[:]",
    "[1.2.3.4]",
    "[1::2::3]",
    "[1:2:3:4:5:6:7:8:9]",
    "[1:2:3:4:5:6:7]",
    "[12345::]",
    "[g::1]",
    "[::1]x",
    "[::1]:",
    "[1:2:3:4:5:6:7:1.2.3.4]",
    `${"a".repeat(256)}`,
  ];
  for (const name of invalid) {
    it(`rejects ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, () => {
      expect(parseServerName(name)).toBeUndefined();
    });
  }
});

describe("host grammars", () => {
  it("IPv4: four numbers 0–255", () => {
    expect(isIPv4Address("192.168.0.1")).toBe(true);
    expect(isIPv4Address("192.168.0")).toBe(false);
    expect(isIPv4Address("192.168.0.1000")).toBe(false);
    expect(isIPv4Address("300.1.1.1")).toBe(false);
  });

  it("IPv6: RFC 3513 section 2.2 forms", () => {
    for (const ok of [
      "1080:0:0:0:8:800:200C:417A",
      "1080::8:800:200C:417A",
      "FF01::101",
      "::1",
      "::",
      "0:0:0:0:0:0:13.1.68.3",
      "::13.1.68.3",
      "::FFFF:129.144.52.38",
      "1::",
    ]) {
      expect(isIPv6Address(ok), ok).toBe(true);
    }
    for (const bad of [
      "",
      ":",
      "1",
      ":::",
      "1:::1",
      "::1::",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "::1.2.3",
      "::1.2.3.4.5",
      "1.2.3.4",
      "::x",
    ]) {
      expect(isIPv6Address(bad), bad).toBe(false);
    }
  });

  it("IPv6 respects the spec's 45-character limit", () => {
    expect(isIPv6Address("0000:0000:0000:0000:0000:ffff:255.255.255.255")).toBe(true); // 45
    expect(isIPv6Address("0000:0000:0000:0000:0000:ffff:255.255.255.2550")).toBe(false);
  });

  it("DNS names: labels of alphanumerics and hyphens", () => {
    expect(isDnsName("a-b.c")).toBe(true);
    expect(isDnsName("a_b.c")).toBe(false);
  });
});
