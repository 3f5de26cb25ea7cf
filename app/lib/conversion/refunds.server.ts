import { z } from "zod";
import type { Db } from "../database/client.server";

const id = z.union([z.number(), z.string()]).transform(String);

/** One refund as Shopify sends it (refunds/create, and each entry of an order's `refunds`). */
export const refundPayload = z.object({
  id,
  order_id: id,
  refund_line_items: z.array(z.object({ id, line_item_id: id, quantity: z.number().int().nonnegative() })).default([]),
});
export type RefundPayload = z.infer<typeof refundPayload>;

/** The refunds an orders/* payload carries; orders/updated lists them, so a missed refunds/create heals. */
export const orderRefunds = z.object({ refunds: z.array(refundPayload).nullish() });

/**
 * Stores refunded quantities per line, once per refund line item, so a redelivered refund does not
 * refund twice. Restocks, shipping and tax refunds have no line items and change nothing here.
 */
export async function storeRefundLines(db: Db, shopId: string, refunds: RefundPayload[]): Promise<number> {
  let stored = 0;
  for (const refund of refunds) {
    for (const line of refund.refund_line_items) {
      await db.refundLine.upsert({
        where: { shopId_shopifyId: { shopId, shopifyId: line.id } },
        create: {
          shopId,
          shopifyId: line.id,
          refundShopifyId: refund.id,
          orderShopifyId: refund.order_id,
          lineShopifyId: line.line_item_id,
          quantity: line.quantity,
        },
        update: { quantity: line.quantity },
      });
      stored += 1;
    }
  }
  return stored;
}
