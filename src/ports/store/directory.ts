/**
 * The room directory: local room aliases (spec: client-server-api "Room aliases"), which rooms are
 * published in the public room directory ("Published room directory"), and content reports
 * ("Reporting content"), kept for the server's administrators.
 */

export interface AliasRecord {
  alias: string;
  roomId: string;
  /** Who created the alias: they may delete it again. */
  creator: string;
  createdTs: number;
}

export interface NewReport {
  /** What is reported: one event, a whole room, or a user. */
  kind: "event" | "room" | "user";
  reporter: string;
  roomId: string | null;
  eventId: string | null;
  targetUserId: string | null;
  reason: string | null;
  /** The deprecated -100..0 score of event reports (removed from the spec in v1.18), if sent. */
  score: number | null;
  createdTs: number;
}

export interface ReportRecord extends NewReport {
  id: number;
}

export interface DirectoryRepository {
  /** Maps an alias to a room; false when the alias exists (or is reserved) already. */
  createAlias(alias: string, roomId: string, creator: string, createdTs: number): Promise<boolean>;
  /** Reserves an alias for a room not created yet (createRoom's `room_alias_name`): it resolves to
   * nothing until `bindReservedAlias`; false when the alias exists or is reserved already. */
  reserveAlias(alias: string, creator: string, createdTs: number): Promise<boolean>;
  /** Points a reserved alias at the room created for it. */
  bindReservedAlias(alias: string, roomId: string): Promise<void>;
  /** Drops a reservation whose room was never created; a bound alias is left alone. */
  releaseReservedAlias(alias: string): Promise<void>;
  /** The alias's mapping; reserved aliases are not mapped yet. */
  getAlias(alias: string): Promise<AliasRecord | undefined>;
  /** Deletes the mapping; false when there was none. */
  deleteAlias(alias: string): Promise<boolean>;
  /** The local aliases pointing at a room, sorted. */
  aliasesOf(roomId: string): Promise<string[]>;
  /** Re-points every alias of one room at another in one unit of work (room upgrades); returns
   * the aliases moved. */
  moveAliases(fromRoomId: string, toRoomId: string): Promise<string[]>;
  /** The rooms published in the public room directory (`rooms.is_public`), sorted by room ID. */
  publishedRoomIds(): Promise<string[]>;
  /** Stores a report; returns its ID. */
  addReport(report: NewReport): Promise<number>;
  /** Reports, newest first, before report ID `before` when given, of one kind when given. */
  listReports(options: { limit: number; before?: number; kind?: NewReport["kind"] }): Promise<ReportRecord[]>;
}
