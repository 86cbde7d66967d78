/**
 * Server names (spec: content/appendices.md "Server Name").
 *
 *     server_name = hostname [ ":" port ]
 *     port        = 1*5DIGIT
 *     hostname    = IPv4address / "[" IPv6address "]" / dns-name
 *     IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
 *     IPv6address = 2*45IPv6char
 *     dns-name    = 1*255dns-char
 *     dns-char    = DIGIT / ALPHA / "-" / "."
 *
 * plus the prose: "IPv4 literals must be a sequence of four decimal numbers in the range 0 to 255",
 * "IPv6 literals must be as specified by RFC3513, section 2.2", and DNS names "should consist of a
 * series of labels separated by `.`, where each label consists of the alphanumeric characters or
 * hyphens". Server names are case-sensitive and are never normalised here.
 */

export type HostKind = "dns" | "ipv4" | "ipv6";

export interface ParsedServerName {
  /** The whole server name, as given. */
  serverName: string;
  /** The hostname; IPv6 literals keep their brackets (`[1234:5678::abcd]`), as in the server name. */
  host: string;
  hostKind: HostKind;
  /** The explicit port, if any. The grammar allows 1–5 digits; values above 65535 are rejected. */
  port?: number;
}

/** The parts of a server name, or undefined when it does not match the grammar. */
export function parseServerName(serverName: string): ParsedServerName | undefined {
  let host = serverName;
  let port: number | undefined;
  const closing = serverName.lastIndexOf("]");
  const colon = serverName.lastIndexOf(":");
  // A colon after the last "]" (or anywhere, without brackets) starts the port.
  if (colon > closing) {
    const digits = serverName.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(digits)) return undefined;
    port = Number(digits);
    // 1*5DIGIT admits 99999, but a TCP port is 16 bits; such a server could never be reached.
    if (port > 65535) return undefined;
    host = serverName.slice(0, colon);
  }
  const hostKind = classifyHost(host);
  if (hostKind === undefined) return undefined;
  return port === undefined ? { serverName, host, hostKind } : { serverName, host, hostKind, port };
}

export function isValidServerName(serverName: string): boolean {
  return parseServerName(serverName) !== undefined;
}

function classifyHost(host: string): HostKind | undefined {
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return undefined;
    return isIPv6Address(host.slice(1, -1)) ? "ipv6" : undefined;
  }
  if (/^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host)) {
    // Shaped like an IPv4 literal: it must be one, not a DNS name made of digits (1.2.3.256).
    return isIPv4Address(host) ? "ipv4" : undefined;
  }
  return isDnsName(host) ? "dns" : undefined;
}

/** Four decimal numbers 0–255 of one to three digits each, separated by dots. */
export function isIPv4Address(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => /^[0-9]{1,3}$/.test(part) && Number(part) <= 255);
}

/**
 * RFC 3513 section 2.2 text forms: eight groups of 1–4 hex digits; or fewer with one `::` standing for
 * one or more zero groups; optionally ending in a dotted IPv4 address in place of the last two groups.
 * Also within the spec's `2*45IPv6char` length.
 */
export function isIPv6Address(text: string): boolean {
  if (text.length < 2 || text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  let groups = text;
  let ipv4Groups = 0;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    if (!isIPv4Address(text.slice(lastColon + 1))) return false;
    groups = text.slice(0, lastColon + 1);
    // Keep a trailing "::" intact; otherwise drop the single ":" before the IPv4 part.
    if (!groups.endsWith("::")) groups = groups.slice(0, -1);
    ipv4Groups = 2;
  }
  const halves = groups.split("::");
  if (halves.length > 2) return false;
  const count = (half: string): number | undefined => {
    if (half === "") return 0;
    const parts = half.split(":");
    return parts.every((part) => /^[0-9A-Fa-f]{1,4}$/.test(part)) ? parts.length : undefined;
  };
  const head = count(halves[0]!);
  if (head === undefined) return false;
  if (halves.length === 1) return head + ipv4Groups === 8;
  const tail = count(halves[1]!);
  if (tail === undefined) return false;
  // "::" stands for at least one group of zeros.
  return head + tail + ipv4Groups <= 7;
}

/** 1–255 characters; labels of letters, digits and hyphens separated by single dots. */
export function isDnsName(text: string): boolean {
  return text.length >= 1 && text.length <= 255 && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/.test(text);
}
