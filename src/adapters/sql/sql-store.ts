/**
 * The Store implemented once over Kysely, for every SQL engine (SQLite, PostgreSQL, D1). Engine
 * differences live in the dialect the caller passes in, never in `if (engine === ...)` here.
 */
import { type Kysely, type LogEvent, Migrator } from "kysely";
import type { Store } from "../../ports/store.js";
import { sqlAccountData } from "./account-data.js";
import { sqlDehydratedDevices } from "./dehydrated-devices.js";
import { sqlDevices } from "./devices.js";
import { sqlDirectory } from "./directory.js";
import { sqlE2eeKeys } from "./e2ee-keys.js";
import { sqlFilters } from "./filters.js";
import type { JsonText } from "./json-text.js";
import { sqlKeyBackup } from "./key-backup.js";
import { sqlKeyValue } from "./key-value.js";
import { sqlMedia } from "./media.js";
import { migrations } from "./migrations/index.js";
import { sqlPresence } from "./presence.js";
import { sqlPushActions, sqlPushers, sqlPushRules } from "./push.js";
import { sqlReceipts } from "./receipts.js";
import { sqlRegistrationTokens } from "./registration-tokens.js";
import { sqlRooms } from "./rooms.js";
import type { Database } from "./schema.js";
import { type SearchIndex, sqlSearch } from "./search-index.js";
import { sqlServerKeys } from "./server-keys.js";
import { batchedStreamPositions } from "./streams.js";
import { sqlToDevice } from "./to-device.js";
import { sqlUserDirectory } from "./user-directory.js";
import { sqlUsers } from "./users.js";

export async function migrate(db: Kysely<Database>): Promise<void> {
  // Unordered: migrations written in parallel branches may land out of number order.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
    // Kysely's default, localeCompare, loads ICU's collation data on the first call: 6 ms of every
    // start and a few MB of resident memory, for names that are plain ASCII.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${String(error)}`);
  }
}

/** `capabilities` are what the engine does its own way, chosen by the engine's opener. */
/** Counts statements through Kysely's log hook; pass `log` into the Kysely config. */
export function queryCounter() {
  let count = 0;
  return {
    log: (event: LogEvent) => {
      if (event.level === "query" || event.level === "error") count++;
    },
    count: () => count,
  };
}

export function createSqlStore(
  db: Kysely<Database>,
  capabilities: { searchIndex: SearchIndex; jsonText: JsonText; queryCount?: () => number },
): Store {
  const streamPosition = batchedStreamPositions(db);
  return {
    users: sqlUsers(db),
    userDirectory: sqlUserDirectory(db, capabilities.jsonText),
    devices: sqlDevices(db),
    accountData: sqlAccountData(db),
    filters: sqlFilters(db),
    registrationTokens: sqlRegistrationTokens(db),
    serverKeys: sqlServerKeys(db),
    keyValue: sqlKeyValue(db),
    media: sqlMedia(db),
    rooms: sqlRooms(db, capabilities.searchIndex),
    search: sqlSearch(db, capabilities.searchIndex),
    receipts: sqlReceipts(db),
    presence: sqlPresence(db),
    toDevice: sqlToDevice(db),
    directory: sqlDirectory(db),
    streams: { current: streamPosition },
    pushRules: sqlPushRules(db),
    pushers: sqlPushers(db),
    pushActions: sqlPushActions(db),
    queryCount: capabilities.queryCount ?? (() => 0),
    e2eeKeys: sqlE2eeKeys(db),
    dehydratedDevices: sqlDehydratedDevices(db),
    keyBackup: sqlKeyBackup(db),
    close: () => {
      capabilities.searchIndex.close();
      return db.destroy();
    },
  };
}
