/**
 * A validation measure for choosing settings without looking at the evaluated last orders:
 * every intermediate order (a customer's second to second-to-last) is ranked by the stage
 * network trained before it, the way the evaluation ranks last orders, and scored by NDCG@K.
 * Each customer counts once (rows weighted 1/rows), as in the evaluation. "New" excludes the
 * candidates marked as bought before (at most FeatureOptions.maxPast of them).
 */
import type { TimedExample } from "./examples";
import { newOnlyTargets, scoreRanking } from "./metrics";
import { topK } from "./rank";

export interface ValidationMetrics {
  /** Customer-weighted mean NDCG@K over the validation rows. */
  all: number;
  new: number;
  rows: number;
}

/**
 * The rows a run validates on: orders after a customer's first that are not evaluation cases.
 * Stale training reads are left out: they are read later than their basket, the evaluation is not.
 */
export function validationRows(examples: readonly TimedExample[]): TimedExample[] {
  return examples.filter((e) => !e.evalCase && e.staleBy === undefined && e.row.pastCount + e.row.viewedCount > 0);
}

export class ValidationAccumulator {
  private readonly rowsOf = new Map<number, number>();
  private all = 0;
  private allWeight = 0;
  private fresh = 0;
  private freshWeight = 0;
  private rows = 0;

  constructor(
    private readonly k: number,
    rows: readonly TimedExample[],
  ) {
    for (const e of rows) this.rowsOf.set(e.customer, (this.rowsOf.get(e.customer) ?? 0) + 1);
  }

  /** One row, with the catalog scores its stage network gave it. */
  add(example: TimedExample, scores: Float32Array): void {
    const weight = 1 / (this.rowsOf.get(example.customer) ?? 1);
    const targets = Array.from(example.targets);
    this.all += weight * scoreRanking(topK(scores, this.k), new Set(targets), this.k).ndcg;
    this.allWeight += weight;
    this.rows++;
    const past = new Set(example.row.featureIndex.subarray(0, example.row.pastCount));
    const freshTargets = newOnlyTargets(targets, past);
    if (!freshTargets) return;
    this.fresh += weight * scoreRanking(topK(scores, this.k, past), freshTargets, this.k).ndcg;
    this.freshWeight += weight;
  }

  result(): ValidationMetrics {
    return {
      all: this.allWeight > 0 ? this.all / this.allWeight : 0,
      new: this.freshWeight > 0 ? this.fresh / this.freshWeight : 0,
      rows: this.rows,
    };
  }
}
