/**
 * The user directory as two nested reads over current state: the rooms the requester can see members
 * of, then the joined members of those rooms that match the term. Synapse keeps dedicated tables
 * (`users_in_public_rooms`, `users_who_share_private_rooms`) updated on every membership change; if
 * this read shows up in profiles, that is the next step.
 */
import { type Kysely, sql } from "kysely";
import type { UserDirectoryRepository } from "../../ports/store/user-directory.js";
import type { JsonText } from "./json-text.js";
import type { Database } from "./schema.js";

export function sqlUserDirectory(db: Kysely<Database>, jsonText: JsonText): UserDirectoryRepository {
  return {
    async searchVisible(requester, term, limit) {
      const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const like = (value: unknown) => sql<boolean>`lower(${value}) like ${pattern} escape '\\'`;
      const memberName = jsonText("e.json", ["content", "displayname"]);
      const memberAvatar = jsonText("e.json", ["content", "avatar_url"]);

      const rows = await db
        .with("visible", (q) =>
          q
            .selectFrom("current_state")
            .select("room_id")
            .where("type", "=", "m.room.member")
            .where("state_key", "=", requester)
            .where("membership", "=", "join")
            .union(q.selectFrom("rooms").select("room_id").where("is_public", "=", 1))
            .union(
              q
                .selectFrom("current_state as s")
                .innerJoin("events as e", "e.event_id", "s.event_id")
                .select("s.room_id")
                .where("s.type", "in", ["m.room.join_rules", "m.room.history_visibility"])
                .where("s.state_key", "=", "")
                .where((eb) =>
                  eb.or([
                    eb.and([
                      eb("s.type", "=", "m.room.join_rules"),
                      eb(jsonText("e.json", ["content", "join_rule"]), "=", "public"),
                    ]),
                    eb.and([
                      eb("s.type", "=", "m.room.history_visibility"),
                      eb(jsonText("e.json", ["content", "history_visibility"]), "=", "world_readable"),
                    ]),
                  ]),
                ),
            ),
        )
        // Joined members of the visible rooms, and the requester, who always sees themselves.
        .with("candidates", (q) =>
          q
            .selectFrom("current_state as m")
            .innerJoin("visible as v", "v.room_id", "m.room_id")
            .innerJoin("events as e", "e.event_id", "m.event_id")
            .select([
              "m.state_key as user_id",
              memberName.as("member_name"),
              memberAvatar.as("member_avatar"),
            ])
            .where("m.type", "=", "m.room.member")
            .where("m.membership", "=", "join")
            .unionAll(
              q
                .selectFrom("users")
                .select([
                  "user_id",
                  sql<string | null>`null`.as("member_name"),
                  sql<string | null>`null`.as("member_avatar"),
                ])
                .where("user_id", "=", requester),
            ),
        )
        .selectFrom("candidates as c")
        .leftJoin("users as u", "u.user_id", "c.user_id")
        .select((eb) => [
          "c.user_id",
          eb.fn.max("u.user_id").as("local_user"),
          eb.fn.max("u.displayname").as("displayname"),
          eb.fn.max("u.avatar_url").as("avatar_url"),
          eb.fn.max("c.member_name").as("member_name"),
          eb.fn.max("c.member_avatar").as("member_avatar"),
        ])
        .where((eb) => eb.or([eb("u.deactivated", "is", null), eb("u.deactivated", "=", 0)]))
        .where(
          sql<boolean>`(${like(sql.ref("c.user_id"))} or ${like(sql.ref("u.displayname"))} or ${like(sql.ref("c.member_name"))})`,
        )
        .groupBy("c.user_id")
        .orderBy("c.user_id")
        .limit(limit)
        .execute();
      // A remote member event may carry anything under these keys; only strings are names.
      const text = (value: unknown) => (typeof value === "string" ? value : null);
      return rows.map((r) =>
        r.local_user !== null
          ? { userId: r.user_id, displayname: r.displayname, avatarUrl: r.avatar_url }
          : { userId: r.user_id, displayname: text(r.member_name), avatarUrl: text(r.member_avatar) },
      );
    },
  };
}
