/**
 * Where notifications go once their event is stored: the hook for delivery to push gateways
 * (spec: push-gateway-api.md, `POST /_matrix/push/v1/notify`). Delivery is not built yet; the
 * recorder calls this after every commit with the recipients whose rules said `notify`, and an
 * implementation looks up their pushers (PusherRepository.forUsers) and posts through the outbound
 * HttpClient (which applies the IP blocklist), retrying with backoff and never under the room lock.
 */
import type { JsonObject } from "../../protocol/json.js";
import type { PushAction } from "../../protocol/push/rules.js";

export interface NotifiedRecipient {
  userId: string;
  actions: PushAction[];
  /** Tweaks to send the gateway (`sound`, `highlight`, ...). */
  tweaks: JsonObject;
}

export interface PushDispatcher {
  /** Called after the event committed; must not throw or block the sender. */
  dispatch(
    event: { eventId: string; roomId: string; streamOrdering: number },
    recipients: NotifiedRecipient[],
  ): void;
}

/** Until delivery exists: counts and /notifications work, nothing leaves the server. */
export const noPushDelivery: PushDispatcher = { dispatch: () => {} };
