/**
 * Turns a shop's orders and catalog into dense integer indices once, so every later step
 * (split, baselines, features, the DNN) works on typed arrays instead of string maps.
 */
import type { CatalogItem, HistoryOrder, IndexedOrder } from "./types";

export interface ShopData {
  /** productId per item index: catalog items first (in catalog order), then ordered-only ones. */
  productIds: string[];
  itemIndex: Map<string, number>;
  /** Catalog entry per item index (a stub with the productId as title when missing). */
  catalog: CatalogItem[];
  customerIds: string[];
  /** All orders sorted by time, ties by orderId, so every pass over them is deterministic. */
  orders: IndexedOrder[];
  /** Order indices (into `orders`) per customer, in time order. */
  ordersByCustomer: number[][];
  /** Storefront product views per customer (known products only), oldest first. */
  viewsByCustomer: Array<Array<{ item: number; at: number }>>;
}

/** A product view as history: a logged-in shopper (their customer id) looked at a product. */
export interface HistoryView {
  productId: string;
  at: Date;
}

export function indexShopData(
  orders: readonly HistoryOrder[],
  catalog: readonly CatalogItem[],
  /** Views by customerId; customers without orders are ignored (nothing to learn or serve). */
  views: ReadonlyMap<string, readonly HistoryView[]> = new Map(),
): ShopData {
  const productIds: string[] = [];
  const itemIndex = new Map<string, number>();
  const entries: CatalogItem[] = [];
  const addItem = (entry: CatalogItem) => {
    const existing = itemIndex.get(entry.productId);
    if (existing !== undefined) return existing;
    itemIndex.set(entry.productId, productIds.length);
    productIds.push(entry.productId);
    entries.push(entry);
    return productIds.length - 1;
  };
  for (const entry of catalog) addItem(entry);

  const customerIndex = new Map<string, number>();
  const customerIds: string[] = [];
  const sorted = [...orders].sort(
    (a, b) => a.at.getTime() - b.at.getTime() || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0),
  );
  const indexed: IndexedOrder[] = [];
  for (const order of sorted) {
    if (order.items.length === 0) continue;
    let customer = customerIndex.get(order.customerId);
    if (customer === undefined) {
      customer = customerIds.length;
      customerIndex.set(order.customerId, customer);
      customerIds.push(order.customerId);
    }
    // Shops send one line per variant or discount; the model thinks in products per order.
    const merged = new Map<number, { quantity: number; spend: number }>();
    for (const line of order.items) {
      const item = addItem({ productId: line.productId, title: line.productId });
      const slot = merged.get(item) ?? { quantity: 0, spend: 0 };
      slot.quantity += Math.max(0, line.quantity);
      slot.spend += Math.max(0, line.quantity) * Math.max(0, line.price);
      merged.set(item, slot);
    }
    const items = Int32Array.from(merged.keys());
    const slots = [...merged.values()];
    indexed.push({
      orderId: order.orderId,
      customer,
      at: order.at.getTime(),
      items,
      quantities: Float32Array.from(slots, (s) => s.quantity),
      prices: Float32Array.from(slots, (s) => (s.quantity > 0 ? s.spend / s.quantity : 0)),
    });
  }
  const ordersByCustomer: number[][] = customerIds.map(() => []);
  indexed.forEach((order, i) => ordersByCustomer[order.customer]?.push(i));
  const viewsByCustomer = customerIds.map((id) =>
    (views.get(id) ?? [])
      .flatMap((v) => {
        const item = itemIndex.get(v.productId);
        return item === undefined ? [] : [{ item, at: v.at.getTime() }];
      })
      .sort((a, b) => a.at - b.at),
  );
  return { productIds, itemIndex, catalog: entries, customerIds, orders: indexed, ordersByCustomer, viewsByCustomer };
}
