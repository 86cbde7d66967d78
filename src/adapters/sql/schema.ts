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

export interface RoomsTable {
  room_id: string;
  version: string;
  creator: string;
  created_ts: number;
  is_public: number;
}

export interface EventsTable {
  event_id: string;
  room_id: string;
  stream_ordering: number;
  depth: number;
  type: string;
  state_key: string | null;
  sender: string;
  origin_server_ts: number;
  json: string;
  redacted_by: string | null;
  replaces_state: string | null;
}

export interface CurrentStateTable {
  room_id: string;
  type: string;
  state_key: string;
  event_id: string;
  membership: string | null;
  stream_ordering: number;
}

export interface StateHistoryTable {
  room_id: string;
  type: string;
  state_key: string;
  stream_ordering: number;
  event_id: string;
}

export interface ForwardExtremitiesTable {
  room_id: string;
  event_id: string;
  depth: number;
}

export interface EventTxnsTable {
  user_id: string;
  device_id: string;
  txn_id: string;
  event_id: string;
}

export interface EventRelationsTable {
  event_id: string;
  /** The child's room (0005-relations). */
  room_id: string;
  relates_to: string;
  rel_type: string;
  aggregation_key: string | null;
  stream_ordering: number;
}

export interface MediaTable {
  server_name: string;
  media_id: string;
  user_id: string | null;
  content_type: string | null;
  upload_name: string | null;
  sha256: string | null;
  size: number | null;
  created_ts: number;
  uploaded_ts: number | null;
  last_access_ts: number;
  expires_ts: number | null;
  quarantined_by: string | null;
}

export interface MediaThumbnailsTable {
  server_name: string;
  media_id: string;
  width: number;
  height: number;
  method: string;
  animated: number;
  content_type: string;
  sha256: string;
  size: number;
}

export interface RoomAliasesTable {
  alias: string;
  /** Null while createRoom has reserved the alias and not yet created the room. */
  room_id: string | null;
  creator: string;
  created_ts: number;
}

export interface ContentReportsTable {
  id: number;
  kind: string;
  reporter: string;
  room_id: string | null;
  event_id: string | null;
  target_user_id: string | null;
  reason: string | null;
  score: number | null;
  created_ts: number;
}

export interface ReceiptsTable {
  room_id: string;
  user_id: string;
  receipt_type: string;
  /** "" for an unthreaded receipt. */
  thread_id: string;
  event_id: string;
  ts: number;
  stream_id: number;
}

export interface PresenceTable {
  user_id: string;
  /** online, unavailable or offline. */
  state: string;
  status_msg: string | null;
  last_active_ts: number;
  last_sync_ts: number;
  /** 0/1. */
  currently_active: number;
  stream_id: number;
}

export interface DeviceInboxTable {
  user_id: string;
  device_id: string;
  stream_id: number;
  sender: string;
  type: string;
  content: string;
}

export interface ToDeviceTxnsTable {
  user_id: string;
  device_id: string;
  txn_id: string;
  created_ts: number;
}

export interface PushRulesTable {
  user_id: string;
  kind: string;
  rule_id: string;
  /** Higher is more important among the user's rules of a kind. */
  priority: number;
  conditions: string | null;
  pattern: string | null;
  actions: string;
  enabled: number;
}

export interface PushRuleDefaultsTable {
  user_id: string;
  rule_id: string;
  enabled: number | null;
  actions: string | null;
}

export interface PushRulesStreamTable {
  user_id: string;
  stream_id: number;
}

export interface PushersTable {
  user_id: string;
  app_id: string;
  pushkey: string;
  kind: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag: string | null;
  lang: string;
  data: string;
  created_ts: number;
}

export interface EventPushActionsTable {
  user_id: string;
  event_id: string;
  room_id: string;
  /** The thread root's event ID or "main". */
  thread_id: string;
  actions: string;
  highlight: number;
  ts: number;
  /** The event's position in the events stream (copied so unread counts need no join). */
  stream_ordering: number;
}

export interface E2eDeviceKeysTable {
  user_id: string;
  device_id: string;
  key_json: string;
}

export interface E2eOneTimeKeysTable {
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  key_json: string;
}

export interface E2eFallbackKeysTable {
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  key_json: string;
  /** 0/1. */
  used: number;
}

export interface E2eCrossSigningKeysTable {
  user_id: string;
  /** master, self_signing or user_signing. */
  key_type: string;
  public_key: string;
  key_json: string;
}

export interface E2eSignaturesTable {
  target_user_id: string;
  /** A device ID or a cross-signing public key. */
  target_key_id: string;
  signer_user_id: string;
  signer_key_id: string;
  signature: string;
}

export interface DeviceListsStreamTable {
  stream_id: number;
  user_id: string;
}

export interface DehydratedDevicesTable {
  user_id: string;
  device_id: string;
  device_data: string;
}

export interface E2eRoomKeysVersionsTable {
  user_id: string;
  version: number;
  algorithm: string;
  auth_data: string;
  etag: number;
  /** 0/1. */
  deleted: number;
}

export interface E2eRoomKeysTable {
  user_id: string;
  version: number;
  room_id: string;
  session_id: string;
  first_message_index: number;
  forwarded_count: number;
  /** 0/1. */
  is_verified: number;
  session_data: string;
}

/** SQLite only (migration 0014): the stream ordering up to which events are in the full-text index. */
export interface SearchPositionTable {
  position: number;
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
  push_rules: PushRulesTable;
  push_rule_defaults: PushRuleDefaultsTable;
  push_rules_stream: PushRulesStreamTable;
  pushers: PushersTable;
  event_push_actions: EventPushActionsTable;
  rooms: RoomsTable;
  events: EventsTable;
  search_position: SearchPositionTable;
  current_state: CurrentStateTable;
  state_history: StateHistoryTable;
  forward_extremities: ForwardExtremitiesTable;
  event_txns: EventTxnsTable;
  event_relations: EventRelationsTable;
  receipts: ReceiptsTable;
  room_aliases: RoomAliasesTable;
  content_reports: ContentReportsTable;
  media: MediaTable;
  media_thumbnails: MediaThumbnailsTable;
  presence: PresenceTable;
  device_inbox: DeviceInboxTable;
  to_device_txns: ToDeviceTxnsTable;
  e2e_device_keys: E2eDeviceKeysTable;
  e2e_one_time_keys: E2eOneTimeKeysTable;
  e2e_fallback_keys: E2eFallbackKeysTable;
  e2e_cross_signing_keys: E2eCrossSigningKeysTable;
  e2e_signatures: E2eSignaturesTable;
  device_lists_stream: DeviceListsStreamTable;
  dehydrated_devices: DehydratedDevicesTable;
  e2e_room_keys_versions: E2eRoomKeysVersionsTable;
  e2e_room_keys: E2eRoomKeysTable;
}
