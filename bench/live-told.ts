/**
 * `live.told.*` rows of `npm run bench -- live` (issue 15: "the merchant is told a figure that the
 * block does not deliver"): each list's lift as the admin's model page states it, beside the lift
 * shoppers got through the App Proxy.
 */
import { strategyFigures, type StrategyFigure } from "../app/lib/admin/strategy-figures";
import type { BaselineName } from "../app/lib/model/baselines";
import type { SettingMetrics } from "../app/lib/model/evaluate-lists";
import { result, type BenchResult } from "./lib";
import { strategyNdcg, type LiveScores, type LiveStrategy } from "./live-eval";

/** The lists the model page words (strategy-figures.ts), by the names the live bench asks for them. */
const FIGURE_STRATEGY: Record<StrategyFigure["strategy"], LiveStrategy> = {
  for_you: "for_you",
  buy_again: "buy_again",
  new_for_you: "new_for_you",
  related: "related",
  firstVisit: "first_visit",
};

/**
 * What the merchant is told beside what shoppers get, list by list. The reference is the lift the
 * model page states (strategy-figures.ts: the run's offline figure over the best baseline of that
 * same list, such as repeat's own for-you list with its discovery slots, on every customer); the
 * value is the live figure over that baseline's list on the scored baskets. The issue's
 * `live.all.ndcg10` row measures for you against the best plain ranking instead.
 */
export function toldRows(
  live: Pick<LiveScores, "metrics">,
  baselines: Record<BaselineName, SettingMetrics>,
  metrics: string,
): BenchResult[] {
  return strategyFigures(metrics).flatMap((f) => {
    const strategy = FIGURE_STRATEGY[f.strategy];
    const same = f.baseline === "model" ? undefined : strategyNdcg(baselines[f.baseline], strategy);
    if (!same) return [];
    const delivered = live.metrics[strategy].ndcg / same;
    const note =
      `the model page says "${f.sentence}" (${(f.ndcg / f.baselineNdcg).toFixed(3)}×, offline, every customer); ` +
      `live ${live.metrics[strategy].ndcg.toFixed(4)} against that baseline's list ${same.toFixed(4)} on the same baskets`;
    return [result(`live.told.${strategy}`, delivered, "lift", f.ndcg / f.baselineNdcg, note)];
  });
}
