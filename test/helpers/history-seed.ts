/** A shop's catalog and order history stored the way the webhook handlers store them. */
import type { Db } from "../../app/lib/database/client.server";
import type { HistoryOrder } from "../../app/lib/model/types";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { applyOrder } from "../../app/lib/sync/store-orders.server";
import { applyProduct } from "../../app/lib/sync/store-products.server";

export async function seedShop(db: Db, domain: string, orders: HistoryOrder[], productIds: string[]): Promise<string> {
  const shopId = await ensureShopId(db, domain);
  const updatedAt = new Date("2024-01-01T00:00:00Z");
  for (const id of productIds) {
    await applyProduct(db, shopId, {
      shopifyId: id,
      title: `Product ${id}`,
      handle: id.toLowerCase(),
      productType: "",
      vendor: "",
      tags: [],
      status: "active",
      isGiftCard: false,
      publishedAt: updatedAt,
      image: null,
      createdAt: updatedAt,
      updatedAt,
      variants: [
        {
          shopifyId: `${id}-v`,
          title: "",
          sku: null,
          price: "5.00",
          compareAtPrice: null,
          position: 1,
          available: true,
          inventoryQuantity: 3,
        },
      ],
    });
  }
  for (const o of orders) {
    // Every line costs 5.00 a unit, and nothing is discounted: the subtotal is the lines' sum.
    const total = (5 * o.items.reduce((sum, item) => sum + item.quantity, 0)).toFixed(2);
    await applyOrder(db, shopId, {
      shopifyId: o.orderId,
      name: o.orderId,
      customerShopifyId: o.customerId,
      currency: "GBP",
      subtotalPrice: total,
      totalPrice: total,
      financialStatus: "paid",
      sourceName: "web",
      noteAttributes: [],
      test: false,
      processedAt: o.at,
      createdAt: o.at,
      updatedAt: o.at,
      cancelledAt: null,
      lines: o.items.map((item, i) => ({
        shopifyId: `${o.orderId}-${i}`,
        productShopifyId: item.productId,
        variantShopifyId: `${item.productId}-v`,
        title: item.productId,
        quantity: item.quantity,
        price: "5.00",
        properties: [],
      })),
    });
  }
  return shopId;
}
