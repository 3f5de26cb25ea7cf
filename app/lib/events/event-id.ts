import { createHash } from "node:crypto";
import type { IncomingEvent, StorefrontEvent } from "./event-schema";

/**
 * The id an event is stored under. A beacon re-sent by the browser (sendBeacon retries, a page
 * restored from the back-forward cache, a replayed batch) has the same content and so the same
 * id; the pixel's events carry Shopify's own event id, which is used instead. The shop is part of
 * the hash, so two shops can never share an event.
 */
export function stableEventId(shop: string, event: IncomingEvent): string {
  const parts =
    "id" in event
      ? [shop, "pixel", event.type, event.id]
      : [
          shop,
          "block",
          event.type,
          event.visitorId,
          event.recommendationId ?? "",
          "productId" in event ? (event.productId ?? "") : "",
          event.at,
        ];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

/** An incoming event with the trusted context of its request, in the shape the queue carries. */
export function toStorefrontEvent(shop: string, customerId: string | null, event: IncomingEvent): StorefrontEvent {
  return {
    id: stableEventId(shop, event),
    shop,
    type: event.type,
    visitorId: event.visitorId,
    customerId,
    recommendationId: "recommendationId" in event ? (event.recommendationId ?? null) : null,
    productId: "productId" in event ? (event.productId ?? null) : null,
    orderId: "orderId" in event ? event.orderId : null,
    occurredAt: new Date(event.at).toISOString(),
  };
}
