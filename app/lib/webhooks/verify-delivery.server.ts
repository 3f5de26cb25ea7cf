import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BodyTooLargeError, readBodyWithLimit } from "../http/read-body.server";
import { SHOP_DOMAIN } from "../shops/domain";
import type { WebhookDelivery } from "./webhook-queue.server";

/** A refused delivery: the HTTP status to answer and a message for the sender. */
export class WebhookRejected extends Error {
  override name = "WebhookRejected";
  constructor(
    readonly status: 400 | 401 | 405 | 413,
    message: string,
  ) {
    super(message);
  }
}

const REQUIRED = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"];

/**
 * Shopify's webhook signature: base64 HMAC-SHA256 of the raw body with the app secret, compared
 * in constant time. Checked here with node:crypto rather than through @shopify/shopify-api,
 * whose check costs about 1 ms a call (docs/decisions/004); a test holds the two to agreement.
 */
export function hasValidHmac(rawBody: Buffer, header: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(header, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Verifies and parses one delivery. Throws WebhookRejected: 401 for a missing or bad HMAC,
 * 400 for missing headers, a malformed shop domain or a body that is not JSON.
 */
export function verifyWebhook(
  header: (name: string) => string | undefined,
  rawBody: Buffer,
  secret: string,
): WebhookDelivery {
  const hmac = header("x-shopify-hmac-sha256");
  if (!hmac) throw new WebhookRejected(401, "Missing webhook HMAC");
  if (!hasValidHmac(rawBody, hmac, secret)) throw new WebhookRejected(401, "Invalid webhook HMAC");
  const missing = REQUIRED.filter((name) => !header(name));
  if (missing.length > 0) throw new WebhookRejected(400, `Missing webhook headers: ${missing.join(", ")}`);
  const shop = header("x-shopify-shop-domain")!;
  if (!SHOP_DOMAIN.test(shop)) throw new WebhookRejected(400, `Not a shop domain: ${shop.slice(0, 100)}`);
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new WebhookRejected(400, "Webhook body is not valid JSON");
  }
  return {
    topic: header("x-shopify-topic")!,
    shop,
    webhookId: header("x-shopify-webhook-id")!,
    apiVersion: header("x-shopify-api-version")!,
    triggeredAt: header("x-shopify-triggered-at") ?? null,
    eventId: header("x-shopify-event-id") ?? null,
    payload,
  };
}

/** The body, or WebhookRejected(413) past `maxBytes` (see readBodyWithLimit). */
export async function readWebhookBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  try {
    return await readBodyWithLimit(req, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new WebhookRejected(413, `Webhook body is larger than ${maxBytes} bytes`);
    throw error;
  }
}
