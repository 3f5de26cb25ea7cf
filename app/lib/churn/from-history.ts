/** Maps the recommender's order history to the churn model's orders. */
import type { CatalogItem, HistoryOrder } from "../model/types";
import type { ChurnOrder } from "./types";

export function churnOrdersFromHistory(
  orders: readonly HistoryOrder[],
  catalog: readonly CatalogItem[] = [],
): ChurnOrder[] {
  const typeOf = new Map(catalog.filter((c) => c.productType).map((c) => [c.productId, c.productType!]));
  return orders.map((o) => {
    const categories = [...new Set(o.items.map((i) => typeOf.get(i.productId)).filter((t): t is string => !!t))];
    return {
      customerId: o.customerId,
      at: o.at,
      total: o.items.reduce((s, i) => s + Math.max(0, i.quantity) * Math.max(0, i.price), 0),
      items: [...new Set(o.items.map((i) => i.productId))],
      ...(categories.length ? { categories } : {}),
    };
  });
}
