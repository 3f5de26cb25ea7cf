import { z } from "zod";
import { parseRunMetrics } from "./model-metrics";
import { pct, type StrategyFigure } from "./strategy-figures";

/**
 * The best-seller list in the merchant's words. It is the one list the storefront serves that no
 * ranker competes for: the holdout group sees it on every block when the merchant chooses "Best
 * sellers" for that group. The run measures it on next orders and on first orders
 * (model/best-sellers.ts), and the model page says how it compares with what treated shoppers get.
 */
export interface BestSellersFigure {
  /** NDCG@10 against each customer's next order. */
  all: number;
  /** NDCG@10 against first orders. */
  firstVisit: number;
  sentence: string;
}

const figure = z.object({ ndcg: z.number(), cases: z.number() });
const stored = z.object({ bestSellers: z.object({ all: figure, firstVisit: figure }) });

const against = (ndcg: number, other: number) =>
  ndcg >= other ? `${pct(ndcg / other - 1)} better than` : `${pct(1 - ndcg / other)} worse than`;

/** Null for a run recorded before best sellers were measured, or when there is nothing to compare with. */
export function bestSellersFigure(json: string, figures: readonly StrategyFigure[]): BestSellersFigure | null {
  const parsed = parseRunMetrics(json, stored);
  const forYou = figures.find((f) => f.strategy === "for_you");
  if (!parsed || !forYou || forYou.ndcg === 0) return null;
  const { all, firstVisit } = parsed.bestSellers;
  const first = figures.find((f) => f.strategy === "firstVisit");
  const firstPart =
    // Nothing to compare: no first order was scored, or the other list found none (a ratio to 0).
    first && first.ndcg > 0 && firstVisit.cases > 0
      ? `, and ${against(firstVisit.ndcg, first.ndcg)} the list for visitors with no history yet at predicting a first order`
      : "";
  const sentence =
    `Best sellers of the last 90 days (what the holdout group sees when you show it best sellers): ` +
    `${against(all.ndcg, forYou.ndcg)} “For you” at predicting the next order${firstPart}.`;
  return { all: all.ndcg, firstVisit: firstVisit.ndcg, sentence };
}
