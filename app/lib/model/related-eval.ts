/**
 * The offline evaluation of the related lists, the ones the storefront serves for "Related to
 * this product" (keyed on the product page's product) and "Complete the cart" (keyed on the
 * product added last). Before this, those lists followed the overall promotion and were never
 * measured as what they are: a list for a shopper whose only signal is one product (issue 15,
 * ADR 005 "Related lists").
 *
 * Protocol, on the same evaluation cases as every other figure: each held-out basket with two
 * or more distinct products gives one case. Its first line is the product in hand (the seed);
 * the basket's other products are the targets. Each contender ranks the catalog for a history of
 * that one product, bought just before the basket, exactly as `relatedForProducts` builds the
 * stored list, with the seed left out, and is scored by NDCG@K. Nothing after the basket's
 * moment is read: the baselines use counts before the cutoff (sweep.ts), and the network is the
 * stage network trained before it (evaluate.ts), its features read at the cutoff.
 */
import { baselineScores, BASELINE_NAMES, type BaselineName } from "./baselines";
import type { ShopData } from "./dataset";
import { featureRowForHistory, type FeatureOptions, type FeatureRow } from "./features";
import { meanMetrics, scoreRanking, type RankingMetrics } from "./metrics";
import { topK } from "./rank";
import type { ShopSnapshots } from "./snapshots";
import type { EvalCase } from "./split";
import type { CaseContext } from "./sweep";

/** One list's figures over its own cases (a related list's, or the first visit's: first-visit-eval.ts). */
export interface ListMetrics extends RankingMetrics {
  /** Cases scored: for related lists, the baskets with at least two distinct products. */
  cases: number;
}

/** The product in hand for a case, or null when its basket has no second product to find. */
export function relatedSeed(evalCase: EvalCase): number | null {
  return evalCase.targets.length >= 2 ? (evalCase.targets[0] ?? null) : null;
}

/** The network's input for a case: one purchase of the seed just before the basket, read at it. */
export function relatedRow(
  snapshots: ShopSnapshots,
  evalCase: EvalCase,
  seed: number,
  features: FeatureOptions,
): FeatureRow {
  return featureRowForHistory(
    snapshots,
    [{ item: seed, at: evalCase.cutoff - 1, quantity: 1 }],
    evalCase.cutoff,
    features,
  );
}

/** One contender's scores for one kind of list over the cases it is given. */
export class ListAccumulator {
  private readonly rows: RankingMetrics[] = [];

  constructor(readonly k: number) {}

  /** Ranks `scores` without `exclude` (ties by `tiebreak`) and scores the top K against `targets`. */
  add(
    scores: ArrayLike<number>,
    tiebreak: ArrayLike<number> | undefined,
    exclude: ReadonlySet<number> | undefined,
    targets: ReadonlySet<number>,
  ): void {
    this.rows.push(scoreRanking(topK(scores, this.k, exclude, tiebreak), targets, this.k));
  }

  /** A related case: the list without its seed, against the rest of the basket. */
  addRelated(
    scores: ArrayLike<number>,
    tiebreak: ArrayLike<number> | undefined,
    evalCase: EvalCase,
    seed: number,
  ): void {
    this.add(scores, tiebreak, new Set([seed]), new Set(evalCase.targets.filter((t) => t !== seed)));
  }

  result(): ListMetrics {
    return { ...meanMetrics(this.rows), cases: this.rows.length };
  }
}

/** Each baseline's related list for one case, from the counts before its cutoff. */
export class RelatedBaselines {
  private readonly acc: Map<BaselineName, ListAccumulator>;

  constructor(k: number) {
    this.acc = new Map(BASELINE_NAMES.map((n) => [n, new ListAccumulator(k)]));
  }

  add(ctx: CaseContext): void {
    const seed = relatedSeed(ctx.evalCase);
    if (seed === null) return;
    for (const name of BASELINE_NAMES) {
      const { scores, tiebreak } = baselineScores(name, { counts: ctx.counts, ownOrders: new Map([[seed, 1]]) });
      this.acc.get(name)!.addRelated(scores, tiebreak, ctx.evalCase, seed);
    }
  }

  result(): Record<BaselineName, ListMetrics> {
    return Object.fromEntries(BASELINE_NAMES.map((n) => [n, this.acc.get(n)!.result()])) as Record<
      BaselineName,
      ListMetrics
    >;
  }
}

/**
 * How many orders contained each product before a moment that only moves forward: the tie-break
 * the network's related lists use (popularity, as for every ranker), without a second set of
 * pair counts beside the sweep's.
 */
export class PopularityClock {
  readonly itemOrders: Float32Array;
  private next = 0;

  constructor(private readonly data: ShopData) {
    this.itemOrders = new Float32Array(data.productIds.length);
  }

  /** Counts every order placed strictly before `cutoff`. Cutoffs must not go backwards. */
  advanceTo(cutoff: number): Float32Array {
    const { orders } = this.data;
    for (; this.next < orders.length; this.next++) {
      const order = orders[this.next]!;
      if (order.at >= cutoff) break;
      for (const item of order.items) this.itemOrders[item] = (this.itemOrders[item] ?? 0) + 1;
    }
    return this.itemOrders;
  }
}

/** What scores feature rows: a network or an ensemble of them. */
export interface RowScorer {
  score(rows: readonly FeatureRow[]): Float32Array[];
}

/**
 * Scores the related lists of `cases` (in cutoff order) with `network`, the stage network trained
 * before them, in slices so that catalog-wide score arrays never pile up.
 */
export function addNetworkRelated(
  network: RowScorer,
  cases: readonly EvalCase[],
  model: { snapshots: ShopSnapshots; features: FeatureOptions; popularity: PopularityClock },
  acc: ListAccumulator,
): void {
  const seeded = cases.flatMap((c) => {
    const seed = relatedSeed(c);
    return seed === null ? [] : [{ evalCase: c, seed }];
  });
  for (let i = 0; i < seeded.length; i += 512) {
    const slice = seeded.slice(i, i + 512);
    const scores = network.score(slice.map((s) => relatedRow(model.snapshots, s.evalCase, s.seed, model.features)));
    scores.forEach((row, j) => {
      const { evalCase, seed } = slice[j]!;
      acc.addRelated(row, model.popularity.advanceTo(evalCase.cutoff), evalCase, seed);
    });
  }
}
