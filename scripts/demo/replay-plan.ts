import { productIdFor, orderPayload, productPayload } from "./shopify-payloads";
import type { DemoShopData } from "./slice-data";
import { ukTimeWithOffset } from "./uk-time";

export interface Delivery {
  topic: "products/create" | "orders/create";
  /**
   * Stable for one database, so a repeated replay is recognised as the same delivery
   * (jobId = wh-<id>); new for a new database, whose replay the queue must not mistake for one
   * it already completed (it remembers completed ids for a day).
   */
  webhookId: string;
  /** The Shopify id of the product or order, as the database stores it. */
  shopifyId: string;
  triggeredAt: Date;
  /** Built only when the delivery is sent: a resumed or repeated replay sends few or none. */
  payload: () => unknown;
}

/**
 * Every product and order of the demo shop as the webhooks Shopify would have sent, in time
 * order: a product is created when the shop first sold it, so it comes before its first order.
 * `shopRowId` is the Shop row's id in this database (see Delivery.webhookId).
 */
export function planDeliveries(data: DemoShopData, shop: string, shopRowId: string): Delivery[] {
  const idPrefix = `${shop.replace(/\.myshopify\.com$/, "")}-${shopRowId}`;
  checkIds(data);
  const customerSince = new Map<string, string>();
  for (const order of data.orders) if (!customerSince.has(order.customer)) customerSince.set(order.customer, order.at);
  const timed = [
    ...data.products.map((product) => ({
      local: product.firstSeen,
      rank: 0,
      delivery: {
        topic: "products/create" as const,
        webhookId: `${idPrefix}-products-create-${product.code}`,
        shopifyId: String(productIdFor(product.code)),
        triggeredAt: new Date(ukTimeWithOffset(product.firstSeen)),
        payload: () => productPayload(product),
      },
    })),
    ...data.orders.map((order) => ({
      local: order.at,
      rank: 1,
      delivery: {
        topic: "orders/create" as const,
        webhookId: `${idPrefix}-orders-create-${order.invoice}`,
        shopifyId: order.invoice,
        triggeredAt: new Date(ukTimeWithOffset(order.at)),
        payload: () => orderPayload(order, customerSince.get(order.customer)!),
      },
    })),
  ];
  // Local ISO times sort as text; at the same minute a product comes before the order selling it.
  timed.sort((a, b) => a.local.localeCompare(b.local) || a.rank - b.rank);
  return timed.map((t) => t.delivery);
}

/** The payloads turn invoice and customer numbers into Shopify ids, and hash stock codes. */
function checkIds(data: DemoShopData): void {
  const bad = data.orders.find((o) => !/^\d+$/.test(o.invoice) || !/^\d+$/.test(o.customer));
  if (bad) throw new Error(`order ${bad.invoice} of customer ${bad.customer}: ids must be numbers`);
  const seen = new Map<number, string>();
  for (const { code } of data.products) {
    const id = productIdFor(code);
    const other = seen.get(id);
    if (other !== undefined) throw new Error(`stock codes ${other} and ${code} hash to the same product id`);
    seen.set(id, code);
  }
}
