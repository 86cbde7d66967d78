import { describe, expect, it } from "vitest";
import {
  isNamespacedIdentifier,
  isOpaqueIdentifier,
  isStrictUserId,
  isValidDeviceId,
  isValidEventId,
  isValidNewUserLocalpart,
  isValidRoomAlias,
  isValidRoomId,
  isValidRoomVersionId,
  isValidServerKeyId,
  isValidUserId,
  parseEventId,
  parseKeyId,
  parseRoomAlias,
  parseRoomId,
  parseUserId,
  userLocalpartGrammar,
  utf8Length,
} from "./identifiers.js";
import { getRoomVersion } from "./room-versions.js";

const show = (s: string) => JSON.stringify(s.length > 50 ? `${s.slice(0, 24)}…(${s.length})` : s);

describe("user IDs", () => {
  it("parses `@user:matrix.org` into localpart and server name", () => {
    expect(parseUserId("@user:matrix.org")).toEqual({
      localpart: "user",
      serverName: "matrix.org",
      host: "matrix.org",
      hostKind: "dns",
      grammar: "strict",
    });
  });

  it("parses a server name with port and IPv6 host", () => {
    expect(parseUserId("@alice:[1234:5678::abcd]:5678")).toEqual({
      localpart: "alice",
      serverName: "[1234:5678::abcd]:5678",
      host: "[1234:5678::abcd]",
      hostKind: "ipv6",
      port: 5678,
      grammar: "strict",
    });
  });

  // "MUST contain only the characters a-z, 0-9, ., _, =, -, /, and +"
  const strict = [
    "@user:matrix.org",
    "@a:b",
    "@0.9_=-/+z:example.org",
    "@alice:1.2.3.4:8448",
    "@john.doe:example.com",
  ];
  for (const id of strict) {
    it(`accepts ${show(id)} under the current grammar`, () => {
      expect(isStrictUserId(id)).toBe(true);
      expect(isValidUserId(id)).toBe(true);
    });
  }

  // "clients and servers MUST accept user IDs with localparts consisting of any legal non-surrogate
  // Unicode code points except for : and NUL (U+0000), including other control characters and the
  // empty string."
  const historical: [string, "historical" | "non_compliant"][] = [
    ["@User:matrix.org", "historical"], // upper case
    ["@a!b#c$%&'()*~:example.org", "historical"],
    ["@:example.org", "non_compliant"], // empty localpart
    ["@ünïcödé:example.org", "non_compliant"],
    ["@sp ace:example.org", "non_compliant"],
    ["@tab\t:example.org", "non_compliant"],
    ["@\u007f:example.org", "non_compliant"],
    ["@😀:example.org", "non_compliant"],
  ];
  for (const [id, grammar] of historical) {
    it(`accepts ${show(id)} as ${grammar} but not under the current grammar`, () => {
      expect(parseUserId(id)?.grammar).toBe(grammar);
      expect(isValidUserId(id)).toBe(true);
      expect(isStrictUserId(id)).toBe(false);
    });
  }

  const invalid = [
    "",
    "@",
    "user:matrix.org", // no sigil
    "#user:matrix.org",
    "@user", // no server name
    "@user:", // empty server name
    "@user:matrix..org",
    "@user:matrix.org:99999999",
    "@nul\u0000:example.org", // NUL
    "@lone\ud800:example.org", // lone surrogate
    "@a:b:c", // the localpart ends at the first colon; "b:c" is no server name
    ` @user:matrix.org`,
  ];
  for (const id of invalid) {
    it(`rejects ${show(id)}`, () => {
      expect(parseUserId(id)).toBeUndefined();
      expect(isValidUserId(id)).toBe(false);
    });
  }

  it("'The length of a user ID, including the @ sigil and the domain, MUST NOT exceed 255 bytes'", () => {
    const domain = ":example.org"; // 12 bytes
    expect(isStrictUserId(`@${"a".repeat(255 - 1 - domain.length)}${domain}`)).toBe(true);
    expect(isStrictUserId(`@${"a".repeat(256 - 1 - domain.length)}${domain}`)).toBe(false);
    // Bytes, not characters: "é" is two bytes in UTF-8.
    expect(isValidUserId(`@${"é".repeat(121)}${domain}`)).toBe(true); // 1 + 242 + 12 = 255
    expect(isValidUserId(`@${"é".repeat(122)}${domain}`)).toBe(false); // 257
  });

  it("classifies bare localparts", () => {
    expect(userLocalpartGrammar("alice")).toBe("strict");
    expect(userLocalpartGrammar("Alice")).toBe("historical");
    expect(userLocalpartGrammar("")).toBe("non_compliant");
    expect(userLocalpartGrammar("a:b")).toBeUndefined();
    expect(isValidNewUserLocalpart("alice.b_c=d-e/f+g")).toBe(true);
    expect(isValidNewUserLocalpart("Alice")).toBe(false);
    expect(isValidNewUserLocalpart("al*ce")).toBe(false); // "*" is a wildcard in the filter API
    expect(isValidNewUserLocalpart("")).toBe(false);
  });
});

describe("room IDs", () => {
  const v11 = getRoomVersion("11")!;
  const v12 = getRoomVersion("12")!;
  const hashId = "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ"; // pdu_v12 example in the spec data

  it("parses the classic form `!opaque_id:domain`", () => {
    expect(parseRoomId("!abc123:matrix.org")).toEqual({
      kind: "classic",
      localpart: "abc123",
      serverName: "matrix.org",
      host: "matrix.org",
      hostKind: "dns",
    });
  });

  it("parses the v12 hash form", () => {
    expect(parseRoomId(hashId)).toEqual({ kind: "hash", hash: hashId.slice(1) });
    expect(isValidRoomId(hashId, v12)).toBe(true);
  });

  it("accepts only the form the room version uses", () => {
    expect(isValidRoomId("!abc123:matrix.org", v11)).toBe(true);
    expect(isValidRoomId("!abc123:matrix.org", v12)).toBe(false);
    expect(isValidRoomId(hashId, v11)).toBe(false);
  });

  // "The localpart MUST only contain valid non-surrogate Unicode code points, including control
  // characters, except : and NUL (U+0000)"
  for (const id of ["!A-z_09:example.org", "!ünï cöde\t:example.org", "!x:domain", "!r:[::1]:8448"]) {
    it(`accepts classic ${show(id)}`, () => expect(isValidRoomId(id, v11)).toBe(true));
  }

  const invalid = [
    "",
    "!",
    "!abc", // neither form
    "abc:matrix.org",
    "!:matrix.org", // empty localpart
    "!a\u0000b:matrix.org",
    "!a\udc00:matrix.org",
    "!abc:",
    "!abc:bad_host",
    "$abc:matrix.org",
    `${hashId}=`, // padded
    `${hashId}A`, // 44 characters
    "!Nhcu5BS+UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", // standard alphabet is not the v12 form
    "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYR", // last character carries stray bits
  ];
  for (const id of invalid) {
    it(`rejects ${show(id)}`, () => expect(parseRoomId(id)).toBeUndefined());
  }

  it("'the localpart, domain, and ! sigil MUST NOT exceed 255 bytes'", () => {
    expect(isValidRoomId(`!${"a".repeat(242)}:example.org`)).toBe(true); // 255
    expect(isValidRoomId(`!${"a".repeat(243)}:example.org`)).toBe(false); // 256
  });
});

describe("event IDs", () => {
  it("v1: `$opaque_id:domain`", () => {
    expect(parseEventId("$0:domain", "v1")).toEqual({
      kind: "classic",
      opaqueId: "0",
      serverName: "domain",
      host: "domain",
      hostKind: "dns",
    });
    expect(isValidEventId("$abc:matrix.org:8448", "v1")).toBe(true);
    expect(isValidEventId("$:matrix.org", "v1")).toBe(false);
    expect(isValidEventId("$abc", "v1")).toBe(false);
    expect(isValidEventId("abc:matrix.org", "v1")).toBe(false);
  });

  it("v3: standard alphabet, e.g. `$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o`", () => {
    expect(isValidEventId("$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o", "v3")).toBe(true);
    expect(isValidEventId("$70O/oKlXzFbkfu0KE88USi98DjSWrOELrPj+8tisl8I", "v3")).toBe(true);
    expect(isValidEventId("$70O_oKlXzFbkfu0KE88USi98DjSWrOELrPj-8tisl8I", "v3")).toBe(false);
    expect(isValidEventId("$abc:matrix.org", "v3")).toBe(false);
  });

  it("v4: URL-safe alphabet, e.g. `$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg`", () => {
    expect(parseEventId("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", "v4")).toEqual({
      kind: "hash",
      hash: "Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
    });
    expect(isValidEventId("$70O_oKlXzFbkfu0KE88USi98DjSWrOELrPj-8tisl8I", "v4")).toBe(true);
    expect(isValidEventId("$70O/oKlXzFbkfu0KE88USi98DjSWrOELrPj+8tisl8I", "v4")).toBe(false);
    expect(isValidEventId("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg=", "v4")).toBe(false);
    expect(isValidEventId("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5", "v4")).toBe(false);
    expect(isValidEventId("Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", "v4")).toBe(false);
  });

  it("'the length of an event ID, including the $ sigil and the domain where present, MUST NOT exceed 255 bytes'", () => {
    expect(isValidEventId(`$${"a".repeat(246)}:example`, "v1")).toBe(true); // 255
    expect(isValidEventId(`$${"a".repeat(247)}:example`, "v1")).toBe(false);
  });
});

describe("room aliases", () => {
  it("parses `#room_alias:domain`", () => {
    expect(parseRoomAlias("#matrix:matrix.org")).toEqual({
      localpart: "matrix",
      serverName: "matrix.org",
      host: "matrix.org",
      hostKind: "dns",
    });
  });
  // "The localpart of a room alias may contain any valid non-surrogate Unicode codepoints except : and NUL."
  for (const alias of ["#Room Ünïcode!:example.org", "#a:1.2.3.4:80", "#😀:x"]) {
    it(`accepts ${show(alias)}`, () => expect(isValidRoomAlias(alias)).toBe(true));
  }
  for (const alias of [
    "#:example.org",
    "#a",
    "#a:",
    "@a:example.org",
    "#a\u0000:x",
    "#a\ud800:x",
    "#a:b_c",
  ]) {
    it(`rejects ${show(alias)}`, () => expect(isValidRoomAlias(alias)).toBe(false));
  }
  it("'The length of a room alias, including the # sigil and the domain, MUST NOT exceed 255 bytes'", () => {
    expect(isValidRoomAlias(`#${"a".repeat(242)}:example.org`)).toBe(true);
    expect(isValidRoomAlias(`#${"a".repeat(243)}:example.org`)).toBe(false);
  });
});

describe("opaque and namespaced identifiers", () => {
  it("Opaque Identifier Grammar: [0-9A-Za-z-._~], 1–255 characters", () => {
    expect(isOpaqueIdentifier("aZ09-._~")).toBe(true);
    expect(isOpaqueIdentifier("a".repeat(255))).toBe(true);
    expect(isOpaqueIdentifier("a".repeat(256))).toBe(false);
    expect(isOpaqueIdentifier("")).toBe(false);
    for (const bad of ["a b", "a/b", "a+b", "a:b", "a=b", "ü"])
      expect(isOpaqueIdentifier(bad), bad).toBe(false);
    // e.g. registration tokens: "with maximum length of 64 characters"
    expect(isOpaqueIdentifier("a".repeat(65), 64)).toBe(false);
  });

  it("Common Namespaced Identifier Grammar", () => {
    expect(isNamespacedIdentifier("m.room.message")).toBe(true);
    expect(isNamespacedIdentifier("com.example.identifier")).toBe(true);
    expect(isNamespacedIdentifier("a".repeat(255))).toBe(true);
    for (const bad of ["", "M.room", "1abc", ".abc", "-abc", "m.Room", "a b", "a".repeat(256)]) {
      expect(isNamespacedIdentifier(bad), bad).toBe(false);
    }
  });

  it("room version IDs: a-z, 0-9, '.', '-', at most 32 code points", () => {
    expect(isValidRoomVersionId("12")).toBe(true);
    expect(isValidRoomVersionId("org.matrix.msc1234")).toBe(true);
    expect(isValidRoomVersionId("a".repeat(32))).toBe(true);
    for (const bad of ["", "a".repeat(33), "V1", "1_0", "1 0"])
      expect(isValidRoomVersionId(bad), bad).toBe(false);
  });

  it("device IDs are opaque identifiers", () => {
    expect(isValidDeviceId("ABCDEFGHIJ")).toBe(true);
    expect(isValidDeviceId("a-b_c.d~e")).toBe(true);
    expect(isValidDeviceId("")).toBe(false);
    expect(isValidDeviceId("a b")).toBe(false);
  });
});

describe("key IDs", () => {
  it("split `algorithm:version` at the first colon", () => {
    expect(parseKeyId("ed25519:abc123")).toEqual({ algorithm: "ed25519", version: "abc123" });
    expect(parseKeyId("signed_curve25519:AAAAAQ")).toEqual({
      algorithm: "signed_curve25519",
      version: "AAAAAQ",
    });
    expect(parseKeyId("ed25519:a:b")).toEqual({ algorithm: "ed25519", version: "a:b" });
    for (const bad of ["ed25519", "ed25519:", ":abc", "Ed25519:abc", "ed-25519:abc"]) {
      expect(parseKeyId(bad), bad).toBeUndefined();
    }
  });

  it("server key versions match [a-zA-Z0-9_]", () => {
    expect(isValidServerKeyId("ed25519:abc123")).toBe(true);
    expect(isValidServerKeyId("ed25519:0ldK3y")).toBe(true);
    expect(isValidServerKeyId("ed25519:a_1")).toBe(true);
    expect(isValidServerKeyId("ed25519:a-1")).toBe(false);
    expect(isValidServerKeyId("ed25519:a:1")).toBe(false);
  });
});

describe("utf8Length", () => {
  it("counts UTF-8 bytes", () => {
    expect(utf8Length("")).toBe(0);
    expect(utf8Length("a")).toBe(1);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("日")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
    expect(utf8Length("\ud800")).toBe(3);
    for (const s of ["a日😀é\u0000", "\udc00\ud800x"])
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});
