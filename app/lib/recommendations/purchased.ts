import type { HistoryOrder } from "../model/types";

/** Products kept per customer: enough to cover what a list of 24 could repeat. */
export const PURCHASED_MAX = 200;

/**
 * Each customer's purchased products, most recent first, written beside a run's lists so the
 * storefront can leave them out when the merchant turns "include previously bought" off.
 */
export function purchasedByCustomer(orders: readonly HistoryOrder[], max = PURCHASED_MAX): Map<string, string[]> {
  const byCustomer = new Map<string, Set<string>>();
  const newestFirst = [...orders].sort((a, b) => b.at.getTime() - a.at.getTime());
  for (const order of newestFirst) {
    let seen = byCustomer.get(order.customerId);
    if (!seen) byCustomer.set(order.customerId, (seen = new Set()));
    for (const item of order.items) if (seen.size < max) seen.add(item.productId);
  }
  return new Map([...byCustomer].map(([customer, ids]) => [customer, [...ids]]));
}
