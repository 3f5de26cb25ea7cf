/**
 * The storefront's personal strategies, built from one score vector per shopper. Evaluation and
 * list building both call `personalLists`, so a list the storefront serves is, item for item, the
 * kind of list the training run measured (issue 15; ADR 005 "Strategies").
 *
 * - buy_again: the shopper's past purchases, best scored first. Nothing else: a merchant's
 *   "Buy it again" shelf that shows new products would be mislabelled.
 * - new_for_you: the ranking with every past purchase removed (the "new only" setting).
 * - for_you: both, merged by score, with a share of the slots kept for new products that grows
 *   as the shopper's repeat propensity falls: for a network's ranking, the chance its own scores
 *   give to a new product (`scoredRepeatShare`); for a baseline's, the shopper's history
 *   (`repeatShare`).
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
  /**
   * For a network's ranking: the share of for_you's slots kept for new products is the network's
   * own chance of a new product (1 − scoredRepeatShare) × this, instead of the history rule
   * above. Absent: the history rule, as in runs stored before 2026-12-06, whose lists were
   * evaluated with it. Baselines always use the history rule (their scores are no chances).
   */
  networkDiscovery?: number;
}

/**
 * See MixRule.discovery. On the UCI shop (ADR 005, "Strategies"), 0.2 raised for_you's new
 * products in the top 10 from 9 % to 15 % for 1 % of its NDCG@10 (0.2987 → 0.2956); 0.5 reached
 * 31 % for 7 % (0.2790). A product choice: discovery the merchant can see, at a cost the model's
 * margin over the repeat baseline absorbs.
 */
export const DEFAULT_DISCOVERY = 0.2;

/**
 * The network's own repeat propensity: the softmax mass its scores put on what the shopper
 * bought before (the network is trained with a softmax over its candidates, so the scores are
 * logits). Items outside the candidate set score −1e9 and add nothing.
 */
export function scoredRepeatShare(scores: ArrayLike<number>, past: ReadonlySet<number>): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!);
  if (!Number.isFinite(max)) return 0.5;
  let all = 0;
  let again = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp(scores[i]! - max);
    all += e;
    if (past.has(i)) again += e;
  }
  return again / all;
}

/** How for_you mixes a network's ranking under `rule`: the rule to pass and the shopper's share. */
export interface NetworkMix {
  rule: MixRule;
  share(scores: ArrayLike<number>, past: ReadonlySet<number>, historyShare: number): number;
}

export function networkMix(rule: MixRule = {}): NetworkMix {
  const discovery = rule.networkDiscovery;
  if (discovery === undefined) return { rule, share: (_s, _p, historyShare) => historyShare };
  return { rule: { discovery }, share: (scores, past) => scoredRepeatShare(scores, past) };
}

/**
 * The rule a run uses when it is given none (ADR 005, "Strategies"): networks by their own
 * propensity at 0.5, baselines by history at DEFAULT_DISCOVERY. On the live read of the UCI shop
 * (2,825 held-out baskets, seeds 1 and 2), 0.5 puts as many new products in the top 10 as the
 * history rule at 0.2 did (13.6 % and 14.2 %, against 14.0 % and 14.1 %) at a higher NDCG@10
 * (0.2951 and 0.2990, against 0.2947 and 0.2983).
 */
export const DEFAULT_MIX: MixRule = { discovery: DEFAULT_DISCOVERY, networkDiscovery: 0.5 };

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
