/**
 * The storefront's personal strategies, built from one score vector per shopper. Evaluation and
 * list building both call `personalLists`, so a list the storefront serves is, item for item, the
 * kind of list the training run measured (issue 15; ADR 005 "Strategies").
 *
 * - buy_again: the shopper's past purchases, best scored first. Nothing else: a merchant's
 *   "Buy it again" shelf that shows new products would be mislabelled.
 * - new_for_you: the ranking with every past purchase removed (the "new only" setting).
 * - for_you: both, merged by score, with a share of the slots kept for new products that grows
 *   as the shopper's own repeat share falls (`discoveryShare`).
 */
import { topK } from "./rank";

export const PERSONAL_STRATEGIES = ["for_you", "buy_again", "new_for_you"] as const;
export type PersonalStrategy = (typeof PERSONAL_STRATEGIES)[number];

export type PersonalLists = Record<PersonalStrategy, number[]>;

export interface MixRule {
  /**
   * The share of for_you's slots kept for new products is (1 − repeat share) × this. 0 makes
   * for_you the plain ranking over every product; 1 gives a shopper who never re-buys only new
   * products. Chosen on the validation rows (ADR 005). @defaultValue DEFAULT_DISCOVERY
   */
  discovery?: number;
}

/**
 * See MixRule.discovery. On the UCI shop (ADR 005, "Strategies"), 0.2 raised for_you's new
 * products in the top 10 from 9 % to 15 % for 1 % of its NDCG@10 (0.2987 → 0.2956); 0.5 reached
 * 31 % for 7 % (0.2790). A product choice: discovery the merchant can see, at a cost the model's
 * margin over the repeat baseline absorbs.
 */
export const DEFAULT_DISCOVERY = 0.2;

/**
 * The shopper's repeat share, shrunk towards ½ so that one later order does not decide it:
 * (lines of later orders that re-bought an earlier item + 1) / (lines of later orders + 2).
 */
export function repeatShare(orders: ReadonlyArray<ArrayLike<number>>): number {
  const seen = new Set<number>();
  let repeats = 0;
  let later = 0;
  orders.forEach((items, o) => {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (o > 0) {
        later++;
        if (seen.has(item)) repeats++;
      }
    }
    for (let i = 0; i < items.length; i++) seen.add(items[i]!);
  });
  return (repeats + 1) / (later + 2);
}

/** New-product slots that the first `n` positions of for_you must hold at least. */
export function newSlots(n: number, share: number, rule: MixRule = {}): number {
  const q = Math.min(1, Math.max(0, (1 - share) * (rule.discovery ?? DEFAULT_DISCOVERY)));
  return Math.floor(n * q + 1e-9);
}

/** `items` by score, best first, ties by `tiebreak` then index (topK's order). */
function rankWithin(
  items: Iterable<number>,
  scores: ArrayLike<number>,
  tiebreak: ArrayLike<number> | undefined,
  k: number,
): number[] {
  return [...items]
    .sort(
      (a, b) =>
        (scores[b] ?? -Infinity) - (scores[a] ?? -Infinity) || (tiebreak?.[b] ?? 0) - (tiebreak?.[a] ?? 0) || a - b,
    )
    .slice(0, k);
}

/**
 * Merges the two ranked lists by score, keeping at every prefix length n at least newSlots(n)
 * new products while new ones remain.
 */
function mixLists(
  again: readonly number[],
  fresh: readonly number[],
  scores: ArrayLike<number>,
  share: number,
  k: number,
  rule: MixRule,
): number[] {
  const mixed: number[] = [];
  let a = 0;
  let f = 0;
  let newCount = 0;
  while (mixed.length < k && (a < again.length || f < fresh.length)) {
    const mustBeNew = f < fresh.length && newCount < newSlots(mixed.length + 1, share, rule);
    const takeNew =
      a >= again.length || mustBeNew || (f < fresh.length && (scores[fresh[f]!] ?? 0) > (scores[again[a]!] ?? 0));
    if (takeNew) {
      mixed.push(fresh[f++]!);
      newCount++;
    } else mixed.push(again[a++]!);
  }
  return mixed;
}

/**
 * The three personal lists of one shopper from the ranker's scores over the whole catalog.
 * `past` is what the shopper bought before; `share` their repeatShare.
 */
export function personalLists(
  scores: ArrayLike<number>,
  tiebreak: ArrayLike<number> | undefined,
  past: ReadonlySet<number>,
  share: number,
  k: number,
  rule: MixRule = {},
): PersonalLists {
  const again = rankWithin(past, scores, tiebreak, k);
  const fresh = topK(scores, k, past, tiebreak);
  return { buy_again: again, new_for_you: fresh, for_you: mixLists(again, fresh, scores, share, k, rule) };
}
