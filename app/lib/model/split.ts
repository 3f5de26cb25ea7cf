/**
 * The evaluation split from shared/data/README.md: for every customer with two or more
 * orders, the last order is the target and only orders placed strictly before its timestamp
 * may be used to rank for that customer. The cutoff is per customer, so a baseline built for
 * customer X may use other customers' orders up to X's cutoff, and nothing later.
 */
import type { ShopData } from "./dataset";

export interface EvalCase {
  customer: number;
  /** Epoch ms of the target order; everything usable is strictly earlier. */
  cutoff: number;
  /** Index into ShopData.orders of the target order. */
  targetOrder: number;
  /** The customer's own orders before the cutoff (indices into ShopData.orders, in time order). */
  history: number[];
  /** Unique item indices of the target order. */
  targets: number[];
}

/**
 * Builds one case per eligible customer, ordered by cutoff (then customer) so callers can
 * sweep time once.
 */
export function buildTimeSplit(data: ShopData): EvalCase[] {
  const cases: EvalCase[] = [];
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    if (orderIdx.length < 2) return;
    const targetOrder = orderIdx[orderIdx.length - 1];
    if (targetOrder === undefined) return;
    const target = data.orders[targetOrder];
    if (!target) return;
    // Usually every earlier order; fewer when orders share the last timestamp. A customer
    // whose orders all share it keeps an empty history (and gets cold-start rankings), so the
    // case count stays "every customer with two or more orders".
    const history = orderIdx.filter((i) => (data.orders[i]?.at ?? Infinity) < target.at);
    cases.push({ customer, cutoff: target.at, targetOrder, history, targets: Array.from(target.items) });
  });
  return cases.sort((a, b) => a.cutoff - b.cutoff || a.customer - b.customer);
}

/** Item indices the customer bought before the cutoff (the "past purchases" of the new-only setting). */
export function pastItems(data: ShopData, history: readonly number[]): Set<number> {
  const seen = new Set<number>();
  for (const i of history) for (const item of data.orders[i]?.items ?? []) seen.add(item);
  return seen;
}
