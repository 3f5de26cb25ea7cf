import type { Db } from "../database/client.server";

export interface ProductView {
  productId: string;
  at: Date;
}

/**
 * Product views (the pixel's product_viewed) per shopper, oldest first, for the model's history
 * features: keyed by customer id when the shopper was logged in, else by `visitor:<id>`.
 * Training reads these beside orders; `limit` bounds a shop with years of traffic.
 */
export async function productViewHistory(
  db: Db,
  shopId: string,
  options: { since: Date; until?: Date; limit?: number },
): Promise<Map<string, ProductView[]>> {
  const rows = await db.event.findMany({
    where: {
      shopId,
      type: "product_viewed",
      occurredAt: { gte: options.since, ...(options.until ? { lte: options.until } : {}) },
    },
    orderBy: { occurredAt: "asc" },
    take: options.limit ?? 500_000,
    select: { productShopifyId: true, occurredAt: true, visitorId: true, customerShopifyId: true },
  });
  const byShopper = new Map<string, ProductView[]>();
  for (const row of rows) {
    if (!row.productShopifyId) continue;
    const key = row.customerShopifyId ?? `visitor:${row.visitorId}`;
    const list = byShopper.get(key) ?? [];
    list.push({ productId: row.productShopifyId, at: row.occurredAt });
    byShopper.set(key, list);
  }
  return byShopper;
}
