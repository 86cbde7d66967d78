/**
 * One text field of a JSON text column, in each engine's own syntax. Events keep their PDU as JSON
 * text; the few reads that filter on a field of it (the user directory: join rules, per-room display
 * names) take this capability, chosen where the store is opened, rather than asking which engine runs.
 */
import { type RawBuilder, sql } from "kysely";

/** `column` is a (possibly table-qualified) column reference, `path` the keys down to the field. */
export type JsonText = (column: string, path: readonly string[]) => RawBuilder<string | null>;

/** SQLite and D1: JSON1's `json_extract`. */
export const sqliteJsonText: JsonText = (column, path) =>
  sql<string | null>`json_extract(${sql.ref(column)}, ${`$.${path.join(".")}`})`;

/** PostgreSQL: the text cast to `json` (which, unlike `jsonb`, accepts any JSON text), then `#>>`. */
export const postgresJsonText: JsonText = (column, path) =>
  sql<string | null>`(cast(${sql.ref(column)} as json) #>> ${[...path]}::text[])`;
