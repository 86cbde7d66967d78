/**
 * Push notifications (spec: client-server-api "Push Notifications"): push rules (pushrules.yaml),
 * pushers (pusher.yaml) and the notification list (notifications.yaml).
 */
import { z } from "zod";
import type { Services } from "../../services/services.js";
import type { Ctx } from "../env.js";
import { readJson, readJsonObject, readQuery } from "../json-body.js";
import { pathParam } from "../path-param.js";
import { type Endpoint, requester } from "../routes.js";

const RULE = "/_matrix/client/v3/pushrules/global/:kind/:ruleId";

const enabledBody = z.object({ enabled: z.boolean() });
const actionsBody = z.object({ actions: z.array(z.unknown()) });

const pusherBody = z.object({
  kind: z.string().nullable(),
  app_id: z.string().min(1).max(64),
  pushkey: z
    .string()
    .min(1)
    .refine((k) => new TextEncoder().encode(k).length <= 512, "at most 512 bytes"),
  app_display_name: z.string().optional(),
  device_display_name: z.string().optional(),
  profile_tag: z.string().optional(),
  lang: z.string().optional(),
  data: z.record(z.string(), z.any()).optional(),
  append: z.boolean().optional(),
});

const notificationsQuery = z.object({
  from: z.string().optional(),
  limit: z.coerce.number().int().min(0).optional(),
  only: z.string().optional(),
});

export const pushEndpoints = ({ push }: Services): Endpoint[] => {
  const ruleset = async (c: Ctx) => push.rules.ruleset(requester(c).userId);
  /** Whose rule, of which kind, with which ID: the path of every /pushrules/global/{kind}/{ruleId}. */
  const ruleAddress = (c: Ctx): [userId: string, kind: string, ruleId: string] => [
    requester(c).userId,
    pathParam(c, "kind"),
    pathParam(c, "ruleId"),
  ];
  return [
    // GET /pushrules/: every ruleset; only `global` is defined.
    ...["/_matrix/client/v3/pushrules/", "/_matrix/client/v3/pushrules"].map(
      (path): Endpoint => ({
        method: "GET",
        path,
        r0: true,
        auth: "user",
        handler: async (c) => c.json({ global: await ruleset(c) }),
      }),
    ),
    // GET /pushrules/global/
    ...["/_matrix/client/v3/pushrules/global/", "/_matrix/client/v3/pushrules/global"].map(
      (path): Endpoint => ({
        method: "GET",
        path,
        r0: true,
        auth: "user",
        handler: async (c) => c.json(await ruleset(c)),
      }),
    ),
    {
      // GET /pushrules/global/{kind}/{ruleId}
      method: "GET",
      path: RULE,
      r0: true,
      auth: "user",
      handler: async (c) => c.json(await push.rules.getRule(...ruleAddress(c))),
    },
    {
      // PUT /pushrules/global/{kind}/{ruleId}?before=&after=
      method: "PUT",
      path: RULE,
      r0: true,
      auth: "user",
      handler: async (c) => {
        const body = await readJsonObject(c);
        await push.rules.putRule(...ruleAddress(c), body, {
          before: c.req.query("before"),
          after: c.req.query("after"),
        });
        return c.json({});
      },
    },
    {
      // DELETE /pushrules/global/{kind}/{ruleId}
      method: "DELETE",
      path: RULE,
      r0: true,
      auth: "user",
      handler: async (c) => {
        await push.rules.deleteRule(...ruleAddress(c));
        return c.json({});
      },
    },
    {
      // GET /pushrules/global/{kind}/{ruleId}/enabled
      method: "GET",
      path: `${RULE}/enabled`,
      r0: true,
      auth: "user",
      handler: async (c) => {
        const rule = await push.rules.getRule(...ruleAddress(c));
        return c.json({ enabled: rule.enabled });
      },
    },
    {
      // PUT /pushrules/global/{kind}/{ruleId}/enabled
      method: "PUT",
      path: `${RULE}/enabled`,
      r0: true,
      auth: "user",
      handler: async (c) => {
        const { enabled } = await readJson(c, enabledBody);
        await push.rules.setEnabled(...ruleAddress(c), enabled);
        return c.json({});
      },
    },
    {
      // GET /pushrules/global/{kind}/{ruleId}/actions
      method: "GET",
      path: `${RULE}/actions`,
      r0: true,
      auth: "user",
      handler: async (c) => {
        const rule = await push.rules.getRule(...ruleAddress(c));
        return c.json({ actions: rule.actions });
      },
    },
    {
      // PUT /pushrules/global/{kind}/{ruleId}/actions: also for server-default rules.
      method: "PUT",
      path: `${RULE}/actions`,
      r0: true,
      auth: "user",
      handler: async (c) => {
        const { actions } = await readJson(c, actionsBody);
        await push.rules.setActions(...ruleAddress(c), actions);
        return c.json({});
      },
    },
    {
      // GET /pushers
      method: "GET",
      path: "/_matrix/client/v3/pushers",
      r0: true,
      auth: "user",
      handler: async (c) => c.json({ pushers: await push.pushers.list(requester(c).userId) }),
    },
    {
      // POST /pushers/set
      method: "POST",
      path: "/_matrix/client/v3/pushers/set",
      r0: true,
      auth: "user",
      handler: async (c) => {
        await push.pushers.set(requester(c).userId, await readJson(c, pusherBody));
        return c.json({});
      },
    },
    {
      // GET /notifications?from=&limit=&only=highlight
      method: "GET",
      path: "/_matrix/client/v3/notifications",
      r0: true,
      auth: "user",
      handler: async (c) =>
        c.json(await push.notifications.list(requester(c).userId, readQuery(c, notificationsQuery))),
    },
  ];
};
