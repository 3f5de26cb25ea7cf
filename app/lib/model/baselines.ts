/**
 * The reference rankers of shared/data/README.md. They are what a shop gets whenever the DNN
 * does not beat them, so they are also served in production, not just measured.
 */
import { cooccurrenceScores, type CooccurrenceCounts } from "./cooccurrence";

export const BASELINE_NAMES = ["popularity", "cooccurrence", "cosine", "repeat"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BaselineInput {
  counts: CooccurrenceCounts;
  /** Customer's past items → how many of their orders contained each. */
  ownOrders: ReadonlyMap<number, number>;
}

export interface ScoredList {
  scores: ArrayLike<number>;
  /** Secondary key for ties; popularity for every baseline. */
  tiebreak?: ArrayLike<number>;
}

/**
 * Scores over the whole catalog. Every ranker breaks ties (including "no signal at all") by
 * popularity, so a list is always full.
 *  - popularity: orders containing the item.
 *  - cooccurrence: Σ over the customer's distinct past items of raw pair counts (each item
 *    once, however often bought: the variant that reproduces the README table).
 *  - cosine: the same with counts divided by √(n_i·n_j).
 *  - repeat: the customer's own order count per item, then popularity.
 */
export function baselineScores(name: BaselineName, input: BaselineInput): ScoredList {
  const pop = input.counts.itemOrders;
  switch (name) {
    case "popularity":
      return { scores: pop };
    case "cooccurrence":
    case "cosine": {
      const distinct = new Map([...input.ownOrders.keys()].map((item) => [item, 1]));
      return { scores: cooccurrenceScores(input.counts, distinct, name === "cosine"), tiebreak: pop };
    }
    case "repeat": {
      const own = new Float32Array(input.counts.numItems);
      for (const [item, n] of input.ownOrders) own[item] = n;
      return { scores: own, tiebreak: pop };
    }
  }
}
