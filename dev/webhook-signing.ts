import { createHmac, randomUUID } from "node:crypto";

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/**
 * A webhook exactly as Shopify sends it: the JSON body, its base64 HMAC-SHA256 with the app
 * secret, and the X-Shopify-* headers. Used by tests, benchmarks and the demo's replay.
 */
export function signWebhook(options: {
  topic: string;
  shop: string;
  payload: unknown;
  secret: string;
  webhookId?: string;
  triggeredAt?: Date;
  apiVersion?: string;
  /** Shopify repeats it on every retry of the same event. @defaultValue a random UUID */
  eventId?: string;
}): SignedWebhook {
  const body = JSON.stringify(options.payload);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", options.secret).update(body, "utf8").digest("base64"),
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": options.apiVersion ?? "2026-10",
      "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
      "X-Shopify-Triggered-At": (options.triggeredAt ?? new Date()).toISOString(),
      "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    },
  };
}

/** POSTs a signed webhook to an app origin. */
export async function deliverWebhook(origin: string, webhook: SignedWebhook): Promise<Response> {
  return fetch(`${origin}/webhooks`, { method: "POST", headers: webhook.headers, body: webhook.body });
}
