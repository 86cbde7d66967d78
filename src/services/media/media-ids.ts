/**
 * Media IDs and mxc URIs. The spec requires sanitising both parts before use
 * (client-server-api "Content repository / Security considerations"): the server name must be a
 * valid server name, the media ID only `A-Za-z0-9_-`.
 */
import { notFound } from "../errors.js";

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;
// DNS name, IPv4, or [IPv6], with an optional port (appendices "Server name").
const SERVER_NAME = /^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(:\d{1,5})?$/;

/** Refuses a server name or media ID outside the allowed characters with 404 M_NOT_FOUND (there can
 * be no such media). */
export function assertMediaKey(serverName: string, mediaId: string): void {
  if (!SERVER_NAME.test(serverName) || !MEDIA_ID.test(mediaId)) throw notFound("Not found");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 24 random characters: ~143 bits, unguessable (media IDs act as capabilities on old servers). */
export function newMediaId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export const mxcUri = (serverName: string, mediaId: string) => `mxc://${serverName}/${mediaId}`;

export function parseMxc(uri: string): { serverName: string; mediaId: string } | undefined {
  const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(uri);
  if (!match) return undefined;
  const [, serverName, mediaId] = match as unknown as [string, string, string];
  return SERVER_NAME.test(serverName) && MEDIA_ID.test(mediaId) ? { serverName, mediaId } : undefined;
}
