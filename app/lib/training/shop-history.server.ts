import type { Db } from "../database/client.server";
import type { CatalogItem, HistoryOrder } from "../model/types";

const PAGE = 2_000;

/**
 * A shop's purchase history as the model reads it: orders with a known customer, not cancelled,
 * not test orders, with their product lines. Read in pages by id so a large shop never needs one
 * giant query. Guest orders carry no customer to learn a sequence from, so they are left out.
 */
export async function loadOrderHistory(db: Db, shopId: string): Promise<HistoryOrder[]> {
  const history: HistoryOrder[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.order.findMany({
      where: { shopId, customerShopifyId: { not: null }, cancelledAt: null, test: false },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: {
        id: true,
        shopifyId: true,
        customerShopifyId: true,
        processedAt: true,
        lines: { select: { productShopifyId: true, quantity: true, price: true } },
      },
    });
    for (const order of page) {
      const items = order.lines
        .filter((line) => line.productShopifyId !== null && line.quantity > 0)
        .map((line) => ({ productId: line.productShopifyId!, quantity: line.quantity, price: Number(line.price) }));
      if (items.length > 0) {
        history.push({ orderId: order.shopifyId, customerId: order.customerShopifyId!, at: order.processedAt, items });
      }
    }
    if (page.length < PAGE) return history;
    cursor = page[page.length - 1]!.id;
  }
}

/** The live catalog: products that are not deleted, with their lowest price and availability. */
export async function loadCatalog(db: Db, shopId: string): Promise<CatalogItem[]> {
  const products = await db.product.findMany({
    where: { shopId, deletedAt: null },
    select: {
      shopifyId: true,
      title: true,
      productType: true,
      vendor: true,
      tags: true,
      status: true,
      isGiftCard: true,
      variants: { select: { price: true, available: true } },
    },
  });
  return products.map((p) => {
    const prices = p.variants.map((v) => Number(v.price));
    return {
      productId: p.shopifyId,
      title: p.title,
      productType: p.productType,
      vendor: p.vendor,
      tags: p.tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      ...(prices.length > 0 ? { price: Math.min(...prices) } : {}),
      available: p.status === "active" && !p.isGiftCard && p.variants.some((v) => v.available),
    };
  });
}
