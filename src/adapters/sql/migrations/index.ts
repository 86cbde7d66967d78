/**
 * Every migration, in order, as code (no file system access, so the same list runs on Workers/D1).
 * Add a new file `NNNN-what.ts` and list it here; never edit a migration that has shipped.
 */
import type { Migration } from "kysely";
import * as m0001 from "./0001-accounts.js";
import * as m0002 from "./0002-media.js";
import * as m0003 from "./0003-rooms.js";
import * as m0005 from "./0005-relations.js";
import * as m0006 from "./0006-directory.js";
import * as m0007receipts from "./0007-receipts.js";
import * as m0007search from "./0007-search.js";
import * as m0008 from "./0008-presence.js";
import * as m0009push from "./0009-push.js";
import * as m0009 from "./0009-to-device.js";
import * as m0010 from "./0010-e2ee-keys.js";
import * as m0011 from "./0011-key-backup.js";
import * as m0012 from "./0012-membership-stream-index.js";
import * as m0013 from "./0013-push-action-ordering.js";
import * as m0014 from "./0014-search-position.js";

export const migrations: Record<string, Migration> = {
  "0001-accounts": m0001,
  "0002-media": m0002,
  "0003-rooms": m0003,
  "0005-relations": m0005,
  "0006-directory": m0006,
  "0007-receipts": m0007receipts,
  "0007-search": m0007search,
  "0008-presence": m0008,
  "0009-to-device": m0009,
  "0009-push": m0009push,
  "0010-e2ee-keys": m0010,
  "0011-key-backup": m0011,
  "0012-membership-stream-index": m0012,
  "0013-push-action-ordering": m0013,
  "0014-search-position": m0014,
};
