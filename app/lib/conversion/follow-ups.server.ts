import type { Db } from "../db.server";
import type { StorefrontEvent } from "../events/schema";

const DAY_MS = 24 * 3600_000;

/**
 * Orders whose attribution an event can change, for events that arrive after the order did
 * (queues are not ordered across sources): a checkout names its order; a click, add to cart or
 * first exposure can matter to the same buyer's orders placed within the window after it.
 */
export async function ordersAffectedBy(
  db: Db,
  shopId: string,
  event: StorefrontEvent,
  windowDays: number,
): Promise<string[]> {
  if (event.type === "checkout_completed") return event.orderId ? [event.orderId] : [];
  const from = new Date(event.occurredAt);
  const to = new Date(from.getTime() + windowDays * DAY_MS);
  const checkouts = await db.event.findMany({
    where: { shopId, type: "checkout_completed", visitorId: event.visitorId, occurredAt: { gte: from, lte: to } },
    select: { orderShopifyId: true },
  });
  const byCustomer = event.customerId
    ? await db.order.findMany({
        where: { shopId, customerShopifyId: event.customerId, processedAt: { gte: from, lte: to } },
        select: { shopifyId: true },
      })
    : [];
  const ids = [...checkouts.map((c) => c.orderShopifyId), ...byCustomer.map((o) => o.shopifyId)];
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
