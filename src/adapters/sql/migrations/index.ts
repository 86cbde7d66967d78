/**
 * Every migration, in order, as code (no file system access, so the same list runs on Workers/D1).
 * Add a new file `NNNN-what.ts` and list it here; never edit a migration that has shipped.
 */
import type { Migration } from "kysely";
import * as m0001 from "./0001-accounts.js";

export const migrations: Record<string, Migration> = {
  "0001-accounts": m0001,
};
