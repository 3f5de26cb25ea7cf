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
/** The related lists serve two block settings; their figure comes from their own evaluation. */
const RELATED_TEXT = {
  label: "Related to this product and Complete the cart",
  predicts: "what else goes in the same order",
} as const;
type PersonalName = keyof typeof STRATEGY_TEXT;
type StrategyName = PersonalName | "related";

const ranker = z.enum(Object.keys(RANKERS) as [RankerName, ...RankerName[]]);
const decision = z.object({ served: ranker, baseline: ranker });
const figure = z.object({ ndcg: z.number(), newShare: z.number().optional() });
const strategyMetrics = z.object({ for_you: figure, buy_again: figure, new_for_you: figure });
const stored = z.object({
  model: z.object({ strategies: strategyMetrics, related: figure.optional() }).nullable().default(null),
  baselines: z.record(z.string(), z.object({ strategies: strategyMetrics, related: figure.optional() })),
  strategies: z.object({ for_you: decision, buy_again: decision, new_for_you: decision }),
  /** Absent in runs recorded before the related lists were evaluated (then no related figure). */
  related: decision.optional(),
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

type Figure = z.infer<typeof figure>;

/** One figure in words, from who serves it and the scores of the model, the served ranker and the best baseline. */
function describe(
  strategy: StrategyName,
  text: { label: string; predicts: string },
  { served, baseline }: z.infer<typeof decision>,
  scores: { model: Figure | null; served: Figure | undefined; baseline: number },
): StrategyFigure {
  const base = scores.baseline;
  const ndcg = scores.served?.ndcg ?? 0;
  const baselineLabel = RANKERS[baseline].label;
  let sentence: string;
  if (served === "model") {
    sentence = `${text.label}: ${pct(ndcg / base - 1)} better than “${baselineLabel}” at predicting ${text.predicts}.`;
  } else if (scores.model === null) {
    sentence = `${text.label}: served by “${RANKERS[served].label}” until there is enough history to train the model.`;
  } else {
    const gap = scores.model.ndcg / base - 1;
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
    newShare: scores.served?.newShare ?? null,
    sentence,
  };
}

/** One figure per strategy, then the related lists' when recorded; empty for a run recorded before strategies. */
export function strategyFigures(json: string): StrategyFigure[] {
  const parsed = parseRunMetrics(json, stored);
  if (!parsed) return [];
  const { model, baselines, strategies, related } = parsed;
  const rows = (Object.keys(STRATEGY_TEXT) as PersonalName[]).map((strategy) => {
    const chosen = strategies[strategy];
    const pick = (name: RankerName) =>
      name === "model" ? model?.strategies[strategy] : baselines[name]?.strategies[strategy];
    return describe(strategy, STRATEGY_TEXT[strategy], chosen, {
      model: model?.strategies[strategy] ?? null,
      served: pick(chosen.served),
      baseline: baselines[chosen.baseline]?.strategies[strategy].ndcg ?? 0,
    });
  });
  const relatedBaseline = related ? baselines[related.baseline]?.related : undefined;
  // No basket held two products (nothing to compare): the line would only divide by zero.
  if (!related || !relatedBaseline || relatedBaseline.ndcg === 0) return rows;
  const served = related.served === "model" ? model?.related : baselines[related.served]?.related;
  return [
    ...rows,
    describe("related", RELATED_TEXT, related, {
      model: model?.related ?? null,
      served,
      baseline: relatedBaseline.ndcg,
    }),
  ];
}
