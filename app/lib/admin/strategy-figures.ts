import { z } from "zod";
import { parseRunMetrics, RANKERS, type RankerName } from "./model-metrics";

/**
 * Each storefront strategy's figure from a training run, in the merchant's words: which ranker
 * serves it, how it scored against the strategy's best baseline, and a one-line sentence such as
 * "New for you: 35 % better than Bought together at predicting the next new product". Pure, so
 * the model page and its tests share it.
 */
const STRATEGY_TEXT = {
  for_you: { label: "For you", predicts: "the next order" },
  buy_again: { label: "Buy it again", predicts: "what customers buy again" },
  new_for_you: { label: "New for you", predicts: "the next new product" },
} as const;
type StrategyName = keyof typeof STRATEGY_TEXT;

const ranker = z.enum(Object.keys(RANKERS) as [RankerName, ...RankerName[]]);
const decision = z.object({ served: ranker, baseline: ranker });
const figure = z.object({ ndcg: z.number(), newShare: z.number().optional() });
const strategyMetrics = z.object({ for_you: figure, buy_again: figure, new_for_you: figure });
const stored = z.object({
  model: z.object({ strategies: strategyMetrics }).nullable().default(null),
  baselines: z.record(z.string(), z.object({ strategies: strategyMetrics })),
  strategies: z.object({ for_you: decision, buy_again: decision, new_for_you: decision }),
});

export interface StrategyFigure {
  strategy: StrategyName;
  label: string;
  /** The ranker whose list the storefront serves for this strategy. */
  served: RankerName;
  servedLabel: string;
  ndcg: number;
  baselineLabel: string;
  baselineNdcg: number;
  /** Share of the top 10 that the customer had not bought before, when known. */
  newShare: number | null;
  sentence: string;
}

const pct = (x: number) => `${Math.round(Math.abs(x) * 100)} %`;

/** One figure per strategy; empty for a run recorded before strategies existed. */
export function strategyFigures(json: string): StrategyFigure[] {
  const parsed = parseRunMetrics(json, stored);
  if (!parsed) return [];
  const { model, baselines, strategies } = parsed;
  return (Object.keys(STRATEGY_TEXT) as StrategyName[]).map((strategy) => {
    const { served, baseline } = strategies[strategy];
    const text = STRATEGY_TEXT[strategy];
    const servedMetrics = served === "model" ? model?.strategies[strategy] : baselines[served]?.strategies[strategy];
    const base = baselines[baseline]?.strategies[strategy].ndcg ?? 0;
    const modelNdcg = model?.strategies[strategy].ndcg ?? null;
    const ndcg = servedMetrics?.ndcg ?? 0;
    const baselineLabel = RANKERS[baseline].label;
    let sentence: string;
    if (served === "model") {
      sentence = `${text.label}: ${pct(ndcg / base - 1)} better than “${baselineLabel}” at predicting ${text.predicts}.`;
    } else if (modelNdcg === null) {
      sentence = `${text.label}: served by “${RANKERS[served].label}” until there is enough history to train the model.`;
    } else {
      const gap = modelNdcg / base - 1;
      sentence =
        `${text.label}: served by “${RANKERS[served].label}”, because the model was ` +
        `${gap >= 0 ? `only ${pct(gap)} better` : `${pct(gap)} worse`} at predicting ${text.predicts}.`;
    }
    return {
      strategy,
      label: text.label,
      served,
      servedLabel: RANKERS[served].label,
      ndcg,
      baselineLabel,
      baselineNdcg: base,
      newShare: servedMetrics?.newShare ?? null,
      sentence,
    };
  });
}
