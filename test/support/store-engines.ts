/**
 * The store engines every contract test runs on: SQLite always, PostgreSQL when the test run
 * started a cluster (test/setup/postgres.ts). Each call opens a fresh, empty database.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPostgresStore } from "../../src/adapters/postgres/open.js";
import { openSqliteStore } from "../../src/adapters/sqlite/open.js";
import type { Store } from "../../src/ports/store.js";

export interface StoreEngine {
  name: string;
  open(): Promise<Store>;
}

/** Creates an empty database on the test cluster and returns its URL. */
export async function createPostgresDatabase(baseUrl: string): Promise<string> {
  const name = `lattice_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function storeEngines(): StoreEngine[] {
  const engines: StoreEngine[] = [{ name: "sqlite", open: () => openSqliteStore(":memory:") }];
  const pgUrl = process.env.LATTICE_TEST_POSTGRES_URL;
  if (pgUrl) {
    engines.push({
      name: "postgres",
      open: async () => openPostgresStore(await createPostgresDatabase(pgUrl)),
    });
  }
  return engines;
}

/** The `database` setting of a test server, for every engine: SQLite always, PostgreSQL (a fresh
 * database) when the test run started a cluster. For tests that run a whole server per engine. */
export function serverDatabases(): Array<{ name: string; database: () => Promise<string> }> {
  const databases = [{ name: "sqlite", database: async () => "sqlite::memory:" }];
  const pgUrl = process.env.LATTICE_TEST_POSTGRES_URL;
  if (pgUrl) databases.push({ name: "postgres", database: () => createPostgresDatabase(pgUrl) });
  return databases;
}
