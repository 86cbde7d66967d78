/**
 * Pushers (spec: client-server-api "Push Notifications", data/api/client-server/pusher.yaml): where
 * a user's notifications are delivered. Stored here; delivery goes through PushDispatcher.
 */
import type { Clock } from "../../ports/clock.js";
import type { Pusher, PusherRepository } from "../../ports/store/push.js";
import type { JsonObject } from "../../protocol/json.js";
import { invalidParam, missingParam } from "../errors.js";

export interface PusherRequest {
  kind: string | null;
  app_id: string;
  pushkey: string;
  app_display_name?: string | undefined;
  device_display_name?: string | undefined;
  profile_tag?: string | undefined;
  lang?: string | undefined;
  data?: JsonObject | undefined;
  append?: boolean | undefined;
}

/** Pusher kinds this server accepts: HTTP pokes to a push gateway, and e-mail. */
const KINDS = new Set(["http", "email"]);
const NOTIFY_PATH = "/_matrix/push/v1/notify";

export class Pushers {
  constructor(
    private readonly pushers: PusherRepository,
    private readonly clock: Clock,
  ) {}

  /** `GET /pushers`, in the spec's shape. */
  async list(userId: string): Promise<JsonObject[]> {
    return (await this.pushers.list(userId)).map((p) => {
      const out: JsonObject = {
        pushkey: p.pushkey,
        kind: p.kind,
        app_id: p.appId,
        app_display_name: p.appDisplayName,
        device_display_name: p.deviceDisplayName,
        lang: p.lang,
        data: p.data,
      };
      if (p.profileTag !== undefined) out.profile_tag = p.profileTag;
      return out;
    });
  }

  /** `POST /pushers/set`: `kind: null` deletes the pusher with this app ID and pushkey. */
  async set(userId: string, request: PusherRequest): Promise<void> {
    if (request.kind === null) {
      await this.pushers.delete(userId, request.app_id, request.pushkey);
      return;
    }
    if (!KINDS.has(request.kind))
      throw invalidParam(`Unknown pusher kind ${request.kind}: http, email or null`);
    const missing = (["app_display_name", "device_display_name", "lang", "data"] as const).filter(
      (field) => request[field] === undefined,
    );
    if (missing.length > 0) throw missingParam(`Missing parameters: ${missing.join(", ")}`);
    const data = request.data as JsonObject;
    if (request.kind === "http") checkGatewayUrl(data.url);
    const pusher: Pusher = {
      userId,
      kind: request.kind,
      appId: request.app_id,
      pushkey: request.pushkey,
      appDisplayName: request.app_display_name as string,
      deviceDisplayName: request.device_display_name as string,
      lang: request.lang as string,
      data,
      createdTs: this.clock.now(),
    };
    if (request.profile_tag !== undefined) pusher.profileTag = request.profile_tag;
    await this.pushers.set(pusher, request.append === true);
  }
}

/** `data.url` is required for http pushers: an absolute URL whose path is `/_matrix/push/v1/notify`
 * (pusher.yaml). The spec says it MUST be HTTPS; plain http is accepted for gateways on a private
 * network, and the outbound HttpClient's blocklist still decides what may be reached. */
function checkGatewayUrl(url: unknown): void {
  if (typeof url !== "string") throw missingParam("data.url is required for http pushers");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidParam("data.url must be an absolute URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw invalidParam("data.url must be an https URL");
  if (parsed.pathname !== NOTIFY_PATH) throw invalidParam(`data.url must have the path ${NOTIFY_PATH}`);
}
