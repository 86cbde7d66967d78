/**
 * Table types of the SQL store, shared by every Kysely dialect (SQLite, PostgreSQL, D1).
 * Portable column choices: booleans are integers 0/1, timestamps are epoch-ms bigints, JSON is text.
 */
import type { Generated } from "kysely";

export interface UsersTable {
  user_id: string;
  localpart: string;
  password_hash: string | null;
  is_admin: number;
  is_guest: number;
  deactivated: number;
  created_ts: number;
  displayname: string | null;
  avatar_url: string | null;
}

export interface DevicesTable {
  user_id: string;
  device_id: string;
  display_name: string | null;
  last_seen_ts: number | null;
  last_seen_ip: string | null;
  created_ts: number;
}

export interface AccessTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  expires_ts: number | null;
  created_ts: number;
}

export interface RefreshTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  created_ts: number;
}

export interface AccountDataTable {
  user_id: string;
  room_id: string;
  type: string;
  content: string;
  stream_id: number;
}

export interface FiltersTable {
  user_id: string;
  filter_id: number;
  filter_json: string;
}

export interface RegistrationTokensTable {
  token: string;
  uses_allowed: number | null;
  pending: number;
  completed: number;
  expiry_ts: number | null;
  created_ts: number;
}

export interface ServerSigningKeysTable {
  key_id: string;
  seed: string;
  created_ts: number;
}

export interface KeyValueTable {
  namespace: string;
  key: string;
  value: string;
  expires_ts: number;
}

export interface StreamPositionsTable {
  stream: string;
  position: Generated<number>;
}

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  account_data: AccountDataTable;
  filters: FiltersTable;
  registration_tokens: RegistrationTokensTable;
  server_signing_keys: ServerSigningKeysTable;
  key_value: KeyValueTable;
  stream_positions: StreamPositionsTable;
}
