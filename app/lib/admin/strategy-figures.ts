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
/**
 * Lists judged on evaluations of their own: the related lists (two block settings) and the list
 * for a shopper with no history, which every block falls back to.
 */
const LIST_TEXT = {
  related: { label: "Related to this product and Complete the cart", predicts: "what else goes in the same order" },
  firstVisit: { label: "Visitors with no history yet", predicts: "a first order" },
} as const;
type PersonalName = keyof typeof STRATEGY_TEXT;
type ListName = keyof typeof LIST_TEXT;
type StrategyName = PersonalName | ListName;

const ranker = z.enum(Object.keys(RANKERS) as [RankerName, ...RankerName[]]);
const decision = z.object({ served: ranker, baseline: ranker });
const figure = z.object({ ndcg: z.number(), newShare: z.number().optional() });
const strategyMetrics = z.object({ for_you: figure, buy_again: figure, new_for_you: figure });
const listFigures = { related: figure.optional(), firstVisit: figure.optional() };
const stored = z.object({
  model: z
    .object({ strategies: strategyMetrics, ...listFigures })
    .nullable()
    .default(null),
  baselines: z.record(z.string(), z.object({ strategies: strategyMetrics, ...listFigures })),
  strategies: z.object({ for_you: decision, buy_again: decision, new_for_you: decision }),
  /** Absent in runs recorded before these lists were evaluated (then no line for them). */
  related: decision.optional(),
  firstVisit: decision.optional(),
});

export interface StrategyFigure {
  strategy: StrategyName;
  label: string;
  /** The ranker whose list the storefront serves for this strategy. */
  served: RankerName;
  servedLabel: string;
  ndcg: number;
  /** The best baseline of this strategy's own list, which the sentence measures it against. */
  baseline: RankerName;
  baselineLabel: string;
  baselineNdcg: number;
  /** Share of the top 10 that the customer had not bought before, when known. */
  newShare: number | null;
  sentence: string;
}

/** A relative difference as the model page words it: its size in whole percent, the sign left to the words. */
export const pct = (x: number) => `${Math.round(Math.abs(x) * 100)} %`;

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
    baseline,
    baselineLabel,
    baselineNdcg: base,
    newShare: scores.served?.newShare ?? null,
    sentence,
  };
}

/**
 * One figure per strategy, then the related lists' and the first visit's when recorded; empty for
 * a run recorded before strategies.
 */
export function strategyFigures(json: string): StrategyFigure[] {
  const parsed = parseRunMetrics(json, stored);
  if (!parsed) return [];
  const { model, baselines, strategies } = parsed;
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
  const lists = (Object.keys(LIST_TEXT) as ListName[]).flatMap((list) => {
    const chosen = parsed[list];
    const base = chosen ? baselines[chosen.baseline]?.[list] : undefined;
    // Nothing was measured (no basket of two products, no first order): the line would divide by zero.
    if (!chosen || !base || base.ndcg === 0) return [];
    const served = chosen.served === "model" ? model?.[list] : baselines[chosen.served]?.[list];
    return [describe(list, LIST_TEXT[list], chosen, { model: model?.[list] ?? null, served, baseline: base.ndcg })];
  });
  return [...rows, ...lists];
}
