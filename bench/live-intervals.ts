/**
 * How far one live figure can be trusted: the live ratios (live NDCG@10 over the best baseline's on
 * the same baskets) are means over a few thousand customers, and the targets sit within a
 * percent of them. A paired bootstrap over the scored customers (each draw resamples customers,
 * keeping each one's live and baseline score together) gives the interval a different sample of
 * customers from the same shop would put the ratio in.
 */
import type { BaselineName } from "../app/lib/model/baselines";
import { baselineScores } from "../app/lib/model/baselines";
import type { ShopData } from "../app/lib/model/dataset";
import { newOnlyTargets, scoreRanking } from "../app/lib/model/metrics";
import { buildTimeSplit } from "../app/lib/model/split";
import { topK } from "../app/lib/model/rank";
import { sweepCases } from "../app/lib/model/sweep";
import { seededRandom } from "../app/lib/tf/seeded-random";

/**
 * One baseline's NDCG@k per customer in one setting, as evaluateBaselines scores it (the same
 * cases, rankings and targets), for the customers `only` keeps: "all", its plain ranking against
 * the whole basket (the reference of for you and buy again); "new", its new-for-you list against
 * the basket's new products, leaving out customers whose basket has none.
 */
export function baselineByCustomer(
  data: ShopData,
  name: BaselineName,
  setting: "all" | "new",
  only: (customerId: string) => boolean,
  k = 10,
): Map<string, number> {
  const cases = buildTimeSplit(data).filter((c) => only(data.customerIds[c.customer]!));
  const out = new Map<string, number>();
  sweepCases(data, cases, (ctx) => {
    const { scores, tiebreak } = baselineScores(name, ctx);
    const customer = data.customerIds[ctx.evalCase.customer]!;
    if (setting === "all") {
      const ranking = topK(scores, k, undefined, tiebreak);
      out.set(customer, scoreRanking(ranking, new Set(ctx.evalCase.targets), k).ndcg);
      return;
    }
    const fresh = newOnlyTargets(ctx.evalCase.targets, ctx.past);
    if (fresh) out.set(customer, scoreRanking(topK(scores, k, ctx.past, tiebreak), fresh, k).ndcg);
  });
  return out;
}

export interface RatioInterval {
  ratio: number;
  /** The 2.5th and 97.5th percentiles of the ratio over the draws. */
  low: number;
  high: number;
  /** Customers scored both live and by the baseline: what is resampled. */
  customers: number;
}

/** The ratio of mean live to mean reference over the customers both score, with its bootstrap interval. */
export function pairedRatioInterval(
  live: ReadonlyMap<string, number>,
  reference: ReadonlyMap<string, number>,
  { draws = 2000, seed = 1 }: { draws?: number; seed?: number } = {},
): RatioInterval {
  const pairs = [...live].filter(([c]) => reference.has(c)).map(([c, v]) => [v, reference.get(c)!] as const);
  const n = pairs.length;
  const ratioOf = (sumLive: number, sumRef: number) => (sumRef > 0 ? sumLive / sumRef : 0);
  const ratio = ratioOf(
    pairs.reduce((s, p) => s + p[0], 0),
    pairs.reduce((s, p) => s + p[1], 0),
  );
  if (n === 0) return { ratio, low: ratio, high: ratio, customers: 0 };
  const random = seededRandom(seed);
  const ratios: number[] = [];
  for (let d = 0; d < draws; d++) {
    let sumLive = 0;
    let sumRef = 0;
    for (let i = 0; i < n; i++) {
      const [l, r] = pairs[Math.floor(random() * n)]!;
      sumLive += l;
      sumRef += r;
    }
    ratios.push(ratioOf(sumLive, sumRef));
  }
  ratios.sort((a, b) => a - b);
  const at = (q: number) => ratios[Math.min(draws - 1, Math.floor(q * draws))]!;
  return { ratio, low: at(0.025), high: at(0.975), customers: n };
}
