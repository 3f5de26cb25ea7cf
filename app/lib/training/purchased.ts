import { BEST_SELLER_DAYS, rankBySold } from "../model/best-sellers";
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

/**
 * The products sold in the largest quantities in the last 90 days of the history (by its own
 * last order, so an old history still has best-sellers), most sold first. Ranked by the rule the
 * offline evaluation scores (model/best-sellers.ts).
 */
export function bestSellers(orders: readonly HistoryOrder[], k: number, days = BEST_SELLER_DAYS): string[] {
  // A loop, not Math.max(...): a spread of a million orders overflows the call stack.
  let last = -Infinity;
  for (const order of orders) last = Math.max(last, order.at.getTime());
  const since = last - days * 86_400_000;
  const sold = new Map<string, number>();
  for (const order of orders) {
    if (order.at.getTime() < since) continue;
    for (const item of order.items) sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.quantity);
  }
  return rankBySold(sold, (id) => id, k);
}
