import type { Db } from "../database/client.server";
import type { AttributionOrder, RecommendationClick } from "./attribution";

const DAY_MS = 24 * 3600_000;
const CLICKS = ["click", "add_to_cart"];

/** An order as attribution reads it, before the buyer's visitors are known. */
export type OrderFacts = Omit<AttributionOrder, "visitorIds">;

/** The stored order, or null while it has not arrived. */
export async function loadOrderFacts(db: Db, shopId: string, orderShopifyId: string): Promise<OrderFacts | null> {
  const order = await db.order.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: orderShopifyId } },
    include: { lines: true },
  });
  if (!order) return null;
  return {
    placedAt: order.processedAt,
    customerId: order.customerShopifyId,
    cancelled: order.cancelledAt !== null,
    test: order.test,
    lines: order.lines.map((l) => ({
      lineId: l.shopifyId,
      productId: l.productShopifyId,
      quantity: l.quantity,
      price: l.price.toString(),
      properties: JSON.parse(l.properties) as Array<{ name: string; value: string }>,
    })),
  };
}

export interface BuyerActivity {
  /** Visitors who placed the order (checkout_completed), else the logged-in customer's visitors. */
  visitorIds: string[];
  clicks: RecommendationClick[];
}

/**
 * The buyer's checkout and recommendation clicks inside the window, in as few reads as possible:
 * one query covers the order's checkout and the customer's events; a second runs only when a
 * checkout names visitors whose clicks the first could not select.
 */
export async function buyerActivity(
  db: Db,
  shopId: string,
  orderShopifyId: string,
  order: OrderFacts,
  windowDays: number,
): Promise<BuyerActivity> {
  const from = new Date(order.placedAt.getTime() - windowDays * DAY_MS);
  const window = { gte: from, lte: order.placedAt };
  const productIds = order.lines.map((l) => l.productId).filter((id): id is string => id !== null);
  const select = {
    type: true,
    productShopifyId: true,
    recommendationId: true,
    occurredAt: true,
    visitorId: true,
    customerShopifyId: true,
  } as const;
  const first = await db.event.findMany({
    where: {
      shopId,
      OR: [
        { type: "checkout_completed", orderShopifyId },
        ...(order.customerId ? [{ customerShopifyId: order.customerId, occurredAt: window }] : []),
      ],
    },
    select,
    take: 5_000,
  });
  const checkoutVisitors = [...new Set(first.filter((e) => e.type === "checkout_completed").map((e) => e.visitorId))];
  const customerVisitors = [...new Set(first.filter((e) => e.type !== "checkout_completed").map((e) => e.visitorId))];
  const visitorIds = checkoutVisitors.length ? checkoutVisitors : customerVisitors.slice(0, 20);
  const more =
    checkoutVisitors.length && productIds.length
      ? await db.event.findMany({
          where: {
            shopId,
            type: { in: CLICKS },
            productShopifyId: { in: productIds },
            visitorId: { in: checkoutVisitors },
            occurredAt: window,
          },
          select,
        })
      : [];
  const clicks = [...first, ...more]
    .filter((e) => CLICKS.includes(e.type) && e.productShopifyId !== null)
    .map((e) => ({
      productId: e.productShopifyId!,
      recommendationId: e.recommendationId,
      at: e.occurredAt,
      visitorId: e.visitorId,
      customerId: e.customerShopifyId,
    }));
  return { visitorIds, clicks };
}
