/**
 * Scores ranked lists for the evaluation cases in both README settings, for any ranker
 * (baseline or model), so every contender is measured by the same code.
 */
import { catalogCoverage, meanMetrics, newOnlyTargets, scoreRanking, type RankingMetrics } from "./metrics";
import { topK } from "./rank";

export interface SettingMetrics {
  all: RankingMetrics;
  new: RankingMetrics;
  /** Share of the catalog in at least one "all" top-K list. */
  coverage: number;
  /** Cases scored in each setting ("new" skips customers who bought nothing new). */
  cases: { all: number; new: number };
}

export class MetricsAccumulator {
  private readonly all: RankingMetrics[] = [];
  private readonly fresh: RankingMetrics[] = [];
  private readonly lists: number[][] = [];

  constructor(
    readonly k: number,
    readonly numItems: number,
  ) {}

  /** Adds one case: ranks `scores` for both settings and scores them. */
  add(
    scores: ArrayLike<number>,
    tiebreak: ArrayLike<number> | undefined,
    targets: readonly number[],
    past: ReadonlySet<number>,
  ): void {
    const list = topK(scores, this.k, undefined, tiebreak);
    this.lists.push(list);
    this.all.push(scoreRanking(list, new Set(targets), this.k));
    const freshTargets = newOnlyTargets(targets, past);
    if (freshTargets) this.fresh.push(scoreRanking(topK(scores, this.k, past, tiebreak), freshTargets, this.k));
  }

  result(): SettingMetrics {
    return {
      all: meanMetrics(this.all),
      new: meanMetrics(this.fresh),
      coverage: catalogCoverage(this.lists, this.k, this.numItems),
      cases: { all: this.all.length, new: this.fresh.length },
    };
  }
}
