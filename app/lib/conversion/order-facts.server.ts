import type { Db } from "../database/client.server";
import type { AttributionOrder } from "./attribution";
import { BUYER_EVENTS_CAP, clickWindow, indexBuyerEvents, matchBuyerActivity, type BuyerActivity } from "./buyer-match";

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

/** The events a batch or one order reads: every column matching uses. */
export const STORED_EVENT_SELECT = {
  id: true,
  type: true,
  visitorId: true,
  customerShopifyId: true,
  recommendationId: true,
  productShopifyId: true,
  orderShopifyId: true,
  occurredAt: true,
} as const;

/**
 * The buyer's checkout and recommendation clicks inside the window, in as few reads as possible:
 * one query covers the order's checkout and the customer's events; a second runs only when a
 * checkout names visitors whose clicks the first could not select. Which of them count is
 * decided by matchBuyerActivity (buyer-match.ts), the rule the batch path shares.
 */
export async function buyerActivity(
  db: Db,
  shopId: string,
  orderShopifyId: string,
  order: OrderFacts,
  windowDays: number,
): Promise<BuyerActivity> {
  const { from, to } = clickWindow(order.placedAt, windowDays);
  const window = { gte: from, lte: to };
  const productIds = order.lines.map((l) => l.productId).filter((id): id is string => id !== null);
  const first = await db.event.findMany({
    where: {
      shopId,
      OR: [
        { type: "checkout_completed", orderShopifyId },
        ...(order.customerId ? [{ customerShopifyId: order.customerId, occurredAt: window }] : []),
      ],
    },
    select: STORED_EVENT_SELECT,
    // The same events the cap keeps in matchBuyerActivity, so both paths see the same buyer.
    orderBy: [{ occurredAt: "desc" }, { id: "asc" }],
    take: BUYER_EVENTS_CAP,
  });
  const checkoutVisitors = [...new Set(first.filter((e) => e.type === "checkout_completed").map((e) => e.visitorId))];
  const more =
    checkoutVisitors.length && productIds.length
      ? await db.event.findMany({
          where: {
            shopId,
            type: { in: ["click", "add_to_cart"] },
            productShopifyId: { in: productIds },
            visitorId: { in: checkoutVisitors },
            occurredAt: window,
          },
          select: STORED_EVENT_SELECT,
        })
      : [];
  return matchBuyerActivity(indexBuyerEvents([...first, ...more]), orderShopifyId, order, windowDays);
}
