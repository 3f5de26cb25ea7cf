/**
 * The offline evaluation of the list for a shopper the shop knows nothing about: the run's
 * "popular" list, which the storefront serves to an anonymous visitor who has viewed nothing,
 * and at the end of every fallback chain (strategy.ts). It is likely the most served list of all,
 * and until now it followed the overall promotion unmeasured (issue 15, ADR 005 "First visits").
 *
 * Protocol: every customer's first order, with the shop as it stood just before it and an empty
 * history. The baseline is popularity before the cutoff; every other baseline, given no history,
 * ranks the same way (their scores are all zero and ties go to popularity), so popularity is the
 * one reference. The network ranks for an empty history, its features read at the cutoff, with
 * the stage network trained before it (evaluate.ts).
 */
import type { ShopData } from "./dataset";
import { featureRowForHistory, type FeatureOptions } from "./features";
import { ListAccumulator, PopularityClock, type ListMetrics, type RowScorer } from "./related-eval";
import type { ShopSnapshots } from "./snapshots";

export interface FirstVisitCase {
  customer: number;
  /** The first order's moment: only orders strictly before it are known. */
  cutoff: number;
  /** The first order's products. */
  targets: ReadonlySet<number>;
}

/** One case per customer (their first order), in cutoff order; `only` keeps some customers' cases. */
export function firstVisitCases(data: ShopData, only?: (customerId: string) => boolean): FirstVisitCase[] {
  const cases: FirstVisitCase[] = [];
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    const first = data.orders[orderIdx[0] ?? -1];
    if (!first || first.items.length === 0) return;
    if (only && !only(data.customerIds[customer] ?? "")) return;
    cases.push({ customer, cutoff: first.at, targets: new Set(first.items) });
  });
  return cases.sort((a, b) => a.cutoff - b.cutoff || a.customer - b.customer);
}

/** Popularity before each case's cutoff, scored on every case. */
export function evaluateFirstVisitPopularity(data: ShopData, cases: readonly FirstVisitCase[], k: number): ListMetrics {
  const clock = new PopularityClock(data);
  const acc = new ListAccumulator(k);
  for (const c of cases) acc.add(clock.advanceTo(c.cutoff), undefined, undefined, c.targets);
  return acc.result();
}

/**
 * Scores `cases` (in cutoff order, all after the previous call's) with `network`, the stage
 * network trained before them, in slices so that catalog-wide score arrays never pile up.
 */
export function addNetworkFirstVisit(
  network: RowScorer,
  cases: readonly FirstVisitCase[],
  model: { snapshots: ShopSnapshots; features: FeatureOptions; popularity: PopularityClock },
  acc: ListAccumulator,
): void {
  for (let i = 0; i < cases.length; i += 512) {
    const slice = cases.slice(i, i + 512);
    const scores = network.score(slice.map((c) => featureRowForHistory(model.snapshots, [], c.cutoff, model.features)));
    scores.forEach((row, j) => {
      const c = slice[j]!;
      acc.add(row, model.popularity.advanceTo(c.cutoff), undefined, c.targets);
    });
  }
}
