/**
 * Scores ranked lists for the evaluation cases in both README settings, for any ranker
 * (baseline or model), so every contender is measured by the same code. The storefront's
 * personal strategies are scored here too, from the lists `personalLists` builds for serving.
 */
import { catalogCoverage, meanMetrics, newOnlyTargets, scoreRanking, type RankingMetrics } from "./metrics";
import { topK } from "./rank";
import type { ListMetrics } from "./related-eval";
import { personalLists, type MixRule, type PersonalStrategy } from "./strategies";

export interface StrategyMetrics extends RankingMetrics {
  /** Share of the listed products (top K) that the shopper had not bought before. */
  newShare: number;
}

export interface SettingMetrics {
  all: RankingMetrics;
  new: RankingMetrics;
  /** Share of the catalog in at least one "all" top-K list. */
  coverage: number;
  /** Cases scored in each setting ("new" skips customers who bought nothing new). */
  cases: { all: number; new: number };
  /**
   * Each personal strategy's served list: for_you and buy_again against the whole target
   * basket (the "all" setting), new_for_you against its new products (the "new only" setting).
   */
  strategies: Record<PersonalStrategy, StrategyMetrics>;
  /**
   * The related list (related and complete-the-cart), scored apart from the personal ranking
   * because its input is one product, not the shopper's history (related-eval.ts).
   */
  related?: ListMetrics;
  /** The list for a shopper with no history against first orders (first-visit-eval.ts); popularity and the model only. */
  firstVisit?: ListMetrics;
}

/** Which setting each strategy is judged in. */
export const STRATEGY_SETTING: Record<PersonalStrategy, "all" | "new"> = {
  for_you: "all",
  buy_again: "all",
  new_for_you: "new",
};

class StrategyTally {
  private readonly rows: RankingMetrics[] = [];
  private fresh = 0;
  private listed = 0;

  add(list: readonly number[], targets: ReadonlySet<number>, past: ReadonlySet<number>, k: number): void {
    this.rows.push(scoreRanking(list, targets, k));
    for (const item of list.slice(0, k)) {
      this.listed++;
      if (!past.has(item)) this.fresh++;
    }
  }

  get cases(): number {
    return this.rows.length;
  }

  result(): StrategyMetrics {
    return { ...meanMetrics(this.rows), newShare: this.listed > 0 ? this.fresh / this.listed : 0 };
  }
}

export class MetricsAccumulator {
  private readonly all: RankingMetrics[] = [];
  private readonly lists: number[][] = [];
  private readonly strategies = {
    for_you: new StrategyTally(),
    buy_again: new StrategyTally(),
    new_for_you: new StrategyTally(),
  };

  constructor(
    readonly k: number,
    readonly numItems: number,
    readonly mix: MixRule = {},
  ) {}

  /**
   * Adds one case: ranks `scores` for both settings and for each strategy and scores them.
   * `share` is the shopper's repeat share (strategies.ts), which decides for_you's mix.
   */
  add(
    scores: ArrayLike<number>,
    tiebreak: ArrayLike<number> | undefined,
    targets: readonly number[],
    past: ReadonlySet<number>,
    share: number,
  ): void {
    const list = topK(scores, this.k, undefined, tiebreak);
    this.lists.push(list);
    const all = new Set(targets);
    this.all.push(scoreRanking(list, all, this.k));
    const personal = personalLists(scores, tiebreak, past, share, this.k, this.mix);
    this.strategies.for_you.add(personal.for_you, all, past, this.k);
    this.strategies.buy_again.add(personal.buy_again, all, past, this.k);
    // new_for_you's list is the "new only" ranking, so its tally is that setting's too.
    const freshTargets = newOnlyTargets(targets, past);
    if (freshTargets) this.strategies.new_for_you.add(personal.new_for_you, freshTargets, past, this.k);
  }

  result(): SettingMetrics {
    const fresh = this.strategies.new_for_you.result();
    return {
      all: meanMetrics(this.all),
      new: { hr: fresh.hr, recall: fresh.recall, ndcg: fresh.ndcg },
      coverage: catalogCoverage(this.lists, this.k, this.numItems),
      cases: { all: this.all.length, new: this.strategies.new_for_you.cases },
      strategies: {
        for_you: this.strategies.for_you.result(),
        buy_again: this.strategies.buy_again.result(),
        new_for_you: fresh,
      },
    };
  }
}
