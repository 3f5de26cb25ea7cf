/**
 * The big shop (bench/bigshop/generate.ts) as Shopify's bulk operation results for the backfill's
 * queries (app/lib/sync/bulk-queries.ts, Admin GraphQL 2026-10): one JSON line per object, each
 * child directly below its parent with `__parentId`, as `groupObjects: true` lays them out. Lines
 * are produced one at a time from the generator, never collected, so a million-order file costs
 * the source shop's memory and nothing more.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { catalogFromCsv, ordersFromCsv } from "../../app/lib/model/csv";
import type { CatalogItem, HistoryOrder } from "../../app/lib/model/types";
import { bigShopCatalog, bigShopOrders, type BigShopOptions, type BigShopSource } from "../../bench/bigshop/generate";

/** The shared online-retail shop (read-only, outside the repository): what the bench grows. */
export const SHARED_ONLINE_RETAIL = {
  orders: path.resolve(process.cwd(), "../shared/data/online-retail.csv.gz"),
  products: path.resolve(process.cwd(), "../shared/data/online-retail-products.csv.gz"),
};
/** The slice of it in the repository (data/demo): what tests grow, since a clone has no ../shared. */
export const DEMO_ONLINE_RETAIL = {
  orders: path.resolve(process.cwd(), "data/demo/online-retail-slice.csv.gz"),
  products: path.resolve(process.cwd(), "data/demo/online-retail-products.csv.gz"),
};

/** The online-retail shop the big shop is grown from. */
export function loadOnlineRetail(files = SHARED_ONLINE_RETAIL): BigShopSource {
  const read = (file: string) => gunzipSync(readFileSync(file)).toString("utf8");
  return { orders: ordersFromCsv(read(files.orders)), catalog: catalogFromCsv(read(files.products)) };
}

const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;
/** Online-retail has no variants: each product has Shopify's one default variant, id derived from it. */
const variantId = (productId: string) => String(Number(productId) * 10 + 1);
const amount = (value: number) => value.toFixed(2);
/** Line item ids stay unique across the shop: the order's numeric id, then the line's position. */
const lineItemId = (orderId: string, index: number) => String(Number(orderId) * 1_000 + index);

function productLines(item: CatalogItem, updatedAt: string): string[] {
  const id = gid("Product", item.productId);
  const price = amount(item.price ?? 0);
  return [
    JSON.stringify({
      id,
      title: item.title,
      handle: `p-${item.productId}`,
      productType: "",
      vendor: "Online Retail",
      tags: [],
      status: "ACTIVE",
      isGiftCard: false,
      publishedAt: "2010-11-01T00:00:00Z",
      createdAt: "2010-11-01T00:00:00Z",
      updatedAt,
      featuredMedia: null,
    }),
    JSON.stringify({
      id: gid("ProductVariant", variantId(item.productId)),
      title: "Default Title",
      sku: `SKU-${item.productId}`,
      price,
      compareAtPrice: null,
      position: 1,
      availableForSale: true,
      inventoryQuantity: null,
      __parentId: id,
    }),
  ];
}

function orderLines(order: HistoryOrder): string[] {
  const id = gid("Order", order.orderId);
  const at = order.at.toISOString();
  const total = amount(order.items.reduce((sum, i) => sum + i.quantity * i.price, 0));
  const lines = [
    JSON.stringify({
      id,
      name: `#${order.orderId}`,
      customer: { id: gid("Customer", order.customerId) },
      currencyCode: "GBP",
      subtotalPriceSet: { shopMoney: { amount: total } },
      totalPriceSet: { shopMoney: { amount: total } },
      displayFinancialStatus: "PAID",
      sourceName: "web",
      customAttributes: [],
      test: false,
      processedAt: at,
      createdAt: at,
      updatedAt: at,
      cancelledAt: null,
    }),
  ];
  order.items.forEach((item, index) => {
    lines.push(
      JSON.stringify({
        id: gid("LineItem", lineItemId(order.orderId, index)),
        product: { id: gid("Product", item.productId) },
        variant: { id: gid("ProductVariant", variantId(item.productId)) },
        title: `Product ${item.productId}`,
        quantity: item.quantity,
        originalUnitPriceSet: { shopMoney: { amount: amount(item.price) } },
        customAttributes: [],
        __parentId: id,
      }),
    );
  });
  return lines;
}

/** The products query's result: every product of the grown catalog with its default variant. */
export function* bigShopProductJsonl(source: BigShopSource, options: BigShopOptions): Generator<string> {
  for (const item of bigShopCatalog(source, options)) yield* productLines(item, "2011-12-31T00:00:00Z");
}

/** The orders query's result for `created_at:>=since`: each order, then its line items. */
export function* bigShopOrderJsonl(source: BigShopSource, options: BigShopOptions, since?: Date): Generator<string> {
  for (const order of bigShopOrders(source, options)) {
    if (!since || order.at >= since) yield* orderLines(order);
  }
}

/** What one orders result holds, counted in one pass over the generator (nothing kept). */
export function countBigShopOrders(source: BigShopSource, options: BigShopOptions, since?: Date) {
  let orders = 0;
  let lineItems = 0;
  let latest = 0;
  for (const order of bigShopOrders(source, options)) {
    if (since && order.at < since) continue;
    orders += 1;
    lineItems += order.items.length;
    latest = Math.max(latest, order.at.getTime());
  }
  return { orders, lineItems, latest: new Date(latest) };
}

/** Distinct products of the grown catalog and their lines (a product and its one variant). */
export function countBigShopProducts(source: BigShopSource, options: BigShopOptions) {
  let products = 0;
  for (const _ of bigShopCatalog(source, options)) products += 1;
  return { products, lines: products * 2 };
}
