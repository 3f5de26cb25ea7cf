/** Maps the recommender's order history to the churn model's orders. */
import type { CatalogItem, HistoryOrder } from "../model/types";
import type { ChurnOrder } from "./types";

export function churnOrdersFromHistory(
  orders: readonly HistoryOrder[],
  catalog: readonly CatalogItem[] = [],
): ChurnOrder[] {
  const typeOf = new Map(catalog.filter((c) => c.productType).map((c) => [c.productId, c.productType!]));
  return orders.map((o) => churnOrderFrom(o, typeOf));
}

/**
 * One order as the churn model keeps it: who, when, how much after discounts, the discount and
 * the amount refunded since (when known), which products and product types.
 */
export function churnOrderFrom(o: HistoryOrder, typeOf: ReadonlyMap<string, string>, refunded = 0): ChurnOrder {
  const categories = [...new Set(o.items.map((i) => typeOf.get(i.productId)).filter((t): t is string => !!t))];
  const gross = o.items.reduce((s, i) => s + Math.max(0, i.quantity) * Math.max(0, i.price), 0);
  const discount = o.discount ?? 0;
  return {
    customerId: o.customerId,
    at: o.at,
    total: Math.max(0, gross - discount),
    ...(discount > 0 ? { discount } : {}),
    ...(refunded > 0 ? { refunded } : {}),
    items: [...new Set(o.items.map((i) => i.productId))],
    ...(categories.length ? { categories } : {}),
  };
}
