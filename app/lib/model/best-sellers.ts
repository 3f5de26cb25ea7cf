/**
 * Best sellers: the products sold in the largest quantities in the last 90 days. The storefront
 * serves this list to the holdout's control arm when the merchant shows that arm best sellers
 * (ADR 008), on every request. It is built by one rule in two places: from
 * the shop's history at training (`bestSellers` in training/purchased.ts, the stored list) and
 * at each evaluation case's cutoff (`BestSellersClock`, the offline figure). Both rank with
 * `rankBySold`, so the list measured is the list served (issue 15).
 */
import type { ShopData } from "./dataset";
import { meanMetrics, scoreRanking } from "./metrics";
import type { ListMetrics } from "./related-eval";

/** How far back best sellers look. */
export const BEST_SELLER_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The `k` entries with the most units sold, most first; equal counts by id (code-unit order), so
 * the list is the same on every run. Entries with no units sold are left out.
 */
export function rankBySold<T>(sold: Iterable<readonly [T, number]>, idOf: (entry: T) => string, k: number): T[] {
  // A kept top k, not a sort of everything: the evaluation ranks thousands of products per case.
  const top: Array<{ entry: T; units: number; id: string }> = [];
  for (const [entry, units] of sold) {
    if (units <= 0 || k <= 0) continue;
    const last = top[top.length - 1];
    if (top.length === k && last && units < last.units) continue;
    const candidate = { entry, units, id: idOf(entry) };
    let at = top.length;
    while (at > 0 && before(candidate, top[at - 1]!)) at--;
    if (at >= k) continue;
    top.splice(at, 0, candidate);
    if (top.length > k) top.pop();
  }
  return top.map((t) => t.entry);
}

/** Most units first; equal units by id. */
const before = (a: { units: number; id: string }, b: { units: number; id: string }) =>
  a.units > b.units || (a.units === b.units && a.id < b.id);

/**
 * Units sold per product in the 90 days before a moment that only moves forward, over the shop's
 * orders in time order: each order is added once when the moment passes it and taken off once
 * when it leaves the window, so a whole evaluation costs one pass over the orders.
 */
export class BestSellersClock {
  private readonly units = new Map<number, number>();
  private added = 0;
  private dropped = 0;

  constructor(private readonly data: ShopData) {}

  /** The best sellers from the orders in [cutoff − 90 days, cutoff), as item indices. */
  listAt(cutoff: number, k: number): number[] {
    const { orders } = this.data;
    for (; this.added < orders.length && orders[this.added]!.at < cutoff; this.added++) this.count(this.added, 1);
    const since = cutoff - BEST_SELLER_DAYS * DAY_MS;
    for (; this.dropped < this.added && orders[this.dropped]!.at < since; this.dropped++) this.count(this.dropped, -1);
    return rankBySold(this.units, (item) => this.data.productIds[item] ?? "", k);
  }

  private count(orderIndex: number, sign: 1 | -1): void {
    const order = this.data.orders[orderIndex]!;
    order.items.forEach((item, i) => {
      const units = (this.units.get(item) ?? 0) + sign * (order.quantities[i] ?? 0);
      if (units === 0) this.units.delete(item);
      else this.units.set(item, units);
    });
  }
}

/** Best sellers at each case's cutoff, against its basket (cases in any order). */
export function evaluateBestSellers(
  data: ShopData,
  cases: ReadonlyArray<{ cutoff: number; targets: Iterable<number> }>,
  k: number,
): ListMetrics {
  const clock = new BestSellersClock(data);
  const sorted = [...cases].sort((a, b) => a.cutoff - b.cutoff);
  const rows = sorted.map((c) => scoreRanking(clock.listAt(c.cutoff, k), new Set(c.targets), k));
  return { ...meanMetrics(rows), cases: rows.length };
}

/** Best sellers scored where the storefront serves them. */
export interface BestSellersMetrics {
  /** Against each customer's last order ("all"): what the holdout's control arm is shown instead of for you. */
  all: ListMetrics;
  /** Against first orders: what a newcomer in the control arm is shown. */
  firstVisit: ListMetrics;
}

/**
 * Both best-seller figures, on the cases the other figures use: `lastOrders` (the evaluation's
 * last-order cases, already narrowed to the scored customers) and `firstOrders`.
 */
export function evaluateBestSellerLists(
  data: ShopData,
  k: number,
  lastOrders: ReadonlyArray<{ cutoff: number; targets: Iterable<number> }>,
  firstOrders: ReadonlyArray<{ cutoff: number; targets: Iterable<number> }>,
): BestSellersMetrics {
  return { all: evaluateBestSellers(data, lastOrders, k), firstVisit: evaluateBestSellers(data, firstOrders, k) };
}
