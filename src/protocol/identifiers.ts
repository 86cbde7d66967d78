/**
 * Identifier grammars (spec: content/appendices.md "Identifier Grammar": "Common Namespaced Identifier
 * Grammar", "Common Identifier Format", "User Identifiers", "Historical User IDs", "Room IDs",
 * "Room Aliases", "Event IDs", "Opaque Identifiers"; content/rooms/_index.md for room version IDs;
 * data/api/server-server/definitions/keys.yaml for key IDs).
 *
 * Parsers return the parts or undefined; `is*` functions answer yes or no. Nothing is case-folded:
 * identifiers are case-sensitive.
 */

import type { EventIdFormat, RoomVersion } from "./room-versions.js";
import { type HostKind, parseServerName } from "./server-name.js";

/** The `:domain` part of user IDs, room IDs before v12, aliases and v1 event IDs. */
export interface DomainParts {
  /** The server name as written. */
  serverName: string;
  host: string;
  hostKind: HostKind;
  port?: number;
}

/**
 * How a user ID localpart fares against the grammars, strictest first:
 * - `strict`: `1*( a-z / 0-9 / "-" / "." / "=" / "_" / "/" / "+" )`, required for new users;
 * - `historical`: U+0021–U+007E except `:`, non-empty — older servers allowed these;
 * - `non_compliant`: any non-surrogate code point except `:` and NUL, possibly empty — "servers must
 *   still accept events using such user IDs over federation; however they SHOULD NOT forward such user
 *   IDs to clients when referenced outside the context of an event".
 */
export type UserLocalpartGrammar = "strict" | "historical" | "non_compliant";

export interface ParsedUserId extends DomainParts {
  localpart: string;
  grammar: UserLocalpartGrammar;
}

/** "The length of a user ID, including the @ sigil and the domain, MUST NOT exceed 255 bytes." The
 * same limit applies to room IDs, room aliases and event IDs. */
export const MAX_ID_BYTES = 255;

/**
 * Parses a user ID accepting every localpart the spec says servers MUST accept (including historical
 * and non-compliant ones); `grammar` says which grammar it meets. Undefined when it is not a user ID.
 */
export function parseUserId(id: string): ParsedUserId | undefined {
  const parts = splitSigilled(id, "@");
  if (parts === undefined) return undefined;
  const grammar = userLocalpartGrammar(parts.localpart);
  if (grammar === undefined) return undefined;
  return { ...parts.domain, localpart: parts.localpart, grammar };
}

/** Any user ID servers must accept in events (historical and non-compliant localparts included). */
export function isValidUserId(id: string): boolean {
  return parseUserId(id) !== undefined;
}

/** A user ID meeting the current grammar: what a server may create for a new user. */
export function isStrictUserId(id: string): boolean {
  return parseUserId(id)?.grammar === "strict";
}

/** A localpart a server may give a new user (the current grammar, and the 255-byte limit once the
 * server name is added is the caller's to check with `isStrictUserId`). */
export function isValidNewUserLocalpart(localpart: string): boolean {
  return /^[a-z0-9._=\-/+]+$/.test(localpart);
}

/** Which grammar a user ID localpart meets, or undefined when even the historical rules refuse it. */
export function userLocalpartGrammar(localpart: string): UserLocalpartGrammar | undefined {
  if (isValidNewUserLocalpart(localpart)) return "strict";
  if (/^[\u0021-\u0039\u003b-\u007e]+$/.test(localpart)) return "historical";
  return isHistoricalLocalpart(localpart) ? "non_compliant" : undefined;
}

export type ParsedRoomId =
  /** `!opaque_id:domain`, room versions 1–11. */
  | ({ kind: "classic"; localpart: string } & DomainParts)
  /** `!` + URL-safe unpadded base64 of the create event's reference hash, room version 12. */
  | { kind: "hash"; hash: string };

/**
 * Parses a room ID. With a room version, only that version's form is accepted; without, either.
 * Classic localparts may be any non-surrogate code points except `:` and NUL (non-empty).
 */
export function parseRoomId(id: string, version?: RoomVersion): ParsedRoomId | undefined {
  if (utf8Length(id) > MAX_ID_BYTES || !id.startsWith("!")) return undefined;
  const derived = version?.authorization.roomIdFromCreateEvent;
  if (derived !== false && isReferenceHash(id.slice(1), "v4")) return { kind: "hash", hash: id.slice(1) };
  if (derived === true) return undefined;
  const parts = splitSigilled(id, "!");
  if (parts === undefined || parts.localpart === "" || !isHistoricalLocalpart(parts.localpart))
    return undefined;
  return { kind: "classic", localpart: parts.localpart, ...parts.domain };
}

export function isValidRoomId(id: string, version?: RoomVersion): boolean {
  return parseRoomId(id, version) !== undefined;
}

export type ParsedEventId =
  /** `$opaque_id:domain`, room versions 1 and 2. */
  | ({ kind: "classic"; opaqueId: string } & DomainParts)
  /** `$` + unpadded base64 of the reference hash: standard alphabet (v3), URL-safe (v4+). */
  | { kind: "hash"; hash: string };

/** Parses an event ID in the given room version format. */
export function parseEventId(id: string, format: EventIdFormat): ParsedEventId | undefined {
  if (utf8Length(id) > MAX_ID_BYTES || !id.startsWith("$")) return undefined;
  if (format !== "v1")
    return isReferenceHash(id.slice(1), format) ? { kind: "hash", hash: id.slice(1) } : undefined;
  const parts = splitSigilled(id, "$");
  if (parts === undefined || parts.localpart === "" || !isHistoricalLocalpart(parts.localpart))
    return undefined;
  return { kind: "classic", opaqueId: parts.localpart, ...parts.domain };
}

export function isValidEventId(id: string, format: EventIdFormat): boolean {
  return parseEventId(id, format) !== undefined;
}

export interface ParsedRoomAlias extends DomainParts {
  localpart: string;
}

/** `#room_alias:domain`: "The localpart of a room alias may contain any valid non-surrogate Unicode
 * codepoints except : and NUL" (non-empty here), at most 255 bytes in all. */
export function parseRoomAlias(alias: string): ParsedRoomAlias | undefined {
  const parts = splitSigilled(alias, "#");
  if (parts === undefined || parts.localpart === "" || !isHistoricalLocalpart(parts.localpart))
    return undefined;
  return { ...parts.domain, localpart: parts.localpart };
}

export function isValidRoomAlias(alias: string): boolean {
  return parseRoomAlias(alias) !== undefined;
}

/** Opaque Identifier Grammar: `[0-9A-Za-z-._~]`, 1 to `maxLength` (default 255) characters. */
export function isOpaqueIdentifier(text: string, maxLength = 255): boolean {
  return text.length >= 1 && text.length <= maxLength && /^[0-9A-Za-z._~-]+$/.test(text);
}

/** Common Namespaced Identifier Grammar: 1–255 of `[a-z0-9-_.]`, starting with `[a-z]`. */
export function isNamespacedIdentifier(text: string): boolean {
  return text.length <= 255 && /^[a-z][a-z0-9._-]*$/.test(text);
}

/** Room version IDs: "MUST NOT exceed 32 codepoints", "MUST NOT be empty and MUST contain only the
 * characters a-z, 0-9, . and -" (content/rooms/_index.md). */
export function isValidRoomVersionId(text: string): boolean {
  return text.length >= 1 && text.length <= 32 && /^[a-z0-9.-]+$/.test(text);
}

/**
 * Device IDs are opaque to the server. New ones should use the RFC 3986 unreserved characters, as the
 * OAuth device scope asks ("It SHOULD only use characters from the unreserved character list"), which
 * is the Opaque Identifier Grammar.
 */
export function isValidDeviceId(text: string): boolean {
  return isOpaqueIdentifier(text);
}

export interface ParsedKeyId {
  /** e.g. `ed25519`, `curve25519`, `signed_curve25519`. */
  algorithm: string;
  /** The key version (server keys) or device ID / public key (end-to-end keys). */
  version: string;
}

/** `algorithm:version`, split at the first colon; the algorithm is `[a-z0-9_]+`, the version non-empty. */
export function parseKeyId(keyId: string): ParsedKeyId | undefined {
  const colon = keyId.indexOf(":");
  if (colon <= 0 || colon === keyId.length - 1) return undefined;
  const algorithm = keyId.slice(0, colon);
  if (!/^[a-z0-9_]+$/.test(algorithm)) return undefined;
  return { algorithm, version: keyId.slice(colon + 1) };
}

/** A homeserver signing key ID: "The version must have characters matching the regular expression
 * [a-zA-Z0-9_]" (data/api/server-server/definitions/keys.yaml). */
export function isValidServerKeyId(keyId: string): boolean {
  const parsed = parseKeyId(keyId);
  return parsed !== undefined && /^[a-zA-Z0-9_]+$/.test(parsed.version);
}

/** UTF-8 length of a string without allocating (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Any non-surrogate code points except `:` and NUL (empty allowed): the widest localpart grammar. */
function isHistoricalLocalpart(localpart: string): boolean {
  return localpart.isWellFormed() && !localpart.includes(":") && !localpart.includes("\u0000");
}

/** `&localpart:domain` within 255 bytes: the localpart ends at the first colon, the rest is a server
 * name. */
function splitSigilled(id: string, sigil: string): { localpart: string; domain: DomainParts } | undefined {
  if (!id.startsWith(sigil) || utf8Length(id) > MAX_ID_BYTES) return undefined;
  const colon = id.indexOf(":");
  if (colon < 0) return undefined;
  const domain = parseServerName(id.slice(colon + 1));
  if (domain === undefined) return undefined;
  return { localpart: id.slice(1, colon), domain };
}

const HASH_CHARS = { v3: /^[A-Za-z0-9+/]{43}$/, v4: /^[A-Za-z0-9_-]{43}$/ } as const;
/** Characters whose value has the two low bits clear: the only ones a canonical encoding of 32 bytes
 * can end with (43 characters carry 258 bits). */
const HASH_LAST = /[AEIMQUYcgkosw048]$/;

/** 43 characters of unpadded base64 of a SHA-256 hash, in the alphabet of the event ID format. */
function isReferenceHash(text: string, format: "v3" | "v4"): boolean {
  return HASH_CHARS[format].test(text) && HASH_LAST.test(text);
}
