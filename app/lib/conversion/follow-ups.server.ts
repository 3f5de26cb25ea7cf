import type { Db } from "../database/client.server";
import type { StorefrontEvent } from "../events/event-schema";

const DAY_MS = 24 * 3600_000;

/**
 * Orders whose attribution new events can change, for events that arrive after the order did
 * (queues are not ordered across sources): a checkout names its order; a click, add to cart or
 * first exposure can matter to the same buyer's orders placed within the window after it. One
 * lookup per buyer (visitor and customer) covers all of that buyer's events in the batch.
 */
export async function followUpOrders(
  db: Db,
  shopId: string,
  events: StorefrontEvent[],
  windowDays: number,
): Promise<string[]> {
  const orders = new Set<string>();
  const spans = new Map<string, { visitorId: string; customerId: string | null; from: number; to: number }>();
  for (const e of events) {
    if (e.type === "checkout_completed") {
      if (e.orderId) orders.add(e.orderId);
      continue;
    }
    const at = Date.parse(e.occurredAt);
    const key = `${e.visitorId}|${e.customerId ?? ""}`;
    const span = spans.get(key) ?? { visitorId: e.visitorId, customerId: e.customerId, from: at, to: at };
    spans.set(key, { ...span, from: Math.min(span.from, at), to: Math.max(span.to, at) });
  }
  for (const span of spans.values()) {
    const window = { gte: new Date(span.from), lte: new Date(span.to + windowDays * DAY_MS) };
    const checkouts = await db.event.findMany({
      where: { shopId, type: "checkout_completed", visitorId: span.visitorId, occurredAt: window },
      select: { orderShopifyId: true },
    });
    for (const c of checkouts) if (c.orderShopifyId) orders.add(c.orderShopifyId);
    if (!span.customerId) continue;
    const placed = await db.order.findMany({
      where: { shopId, customerShopifyId: span.customerId, processedAt: window },
      select: { shopifyId: true },
    });
    for (const o of placed) orders.add(o.shopifyId);
  }
  return [...orders];
}
