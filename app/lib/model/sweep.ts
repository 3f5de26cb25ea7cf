/**
 * Walks the evaluation cases in cutoff order while co-occurrence counts grow with time, so
 * each case sees exactly the orders placed before its own cutoff (the README protocol).
 */
import { advanceCounts, emptyCounts, type CooccurrenceCounts } from "./cooccurrence";
import type { ShopData } from "./dataset";
import type { EvalCase } from "./split";
import { pastItems } from "./split";
import { repeatShare } from "./strategies";

export interface CaseContext {
  evalCase: EvalCase;
  /** Counts over all orders strictly before the case's cutoff. */
  counts: CooccurrenceCounts;
  /** Items the customer bought before the cutoff. */
  past: Set<number>;
  /** Per past item, the number of the customer's orders that contained it. */
  ownOrders: Map<number, number>;
  /** The customer's repeat share before the cutoff (strategies.ts): for_you's mix. */
  share: number;
}

export function sweepCases(data: ShopData, cases: readonly EvalCase[], visit: (ctx: CaseContext) => void): void {
  const counts = emptyCounts(data.productIds.length);
  let next = 0;
  const sorted = [...cases].sort((a, b) => a.cutoff - b.cutoff);
  for (const evalCase of sorted) {
    next = advanceCounts(counts, data.orders, next, evalCase.cutoff);
    visit({
      evalCase,
      counts,
      past: pastItems(data, evalCase.history),
      ownOrders: ownOrderCounts(data, evalCase.history),
      share: repeatShare(evalCase.history.map((i) => data.orders[i]?.items ?? [])),
    });
  }
}

export function ownOrderCounts(data: ShopData, history: readonly number[]): Map<number, number> {
  const own = new Map<number, number>();
  for (const i of history) for (const item of data.orders[i]?.items ?? []) own.set(item, (own.get(item) ?? 0) + 1);
  return own;
}
