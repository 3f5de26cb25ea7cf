/**
 * Which ranker a shop gets. The brief: "a model that does not beat the best baseline is not
 * promoted". We judge on NDCG@10, because it rewards putting the right items first, which
 * is what a 4–10 slot widget shows.
 */
import type { BaselineName } from "./baselines";
import type { SettingMetrics } from "./evaluate-lists";
import type { PersonalStrategy } from "./strategies";

export type Contender = "model" | BaselineName;

export interface PromotionRule {
  /**
   * The model must beat the best baseline's NDCG@10 (all) by this relative margin, so noise
   * does not flip a shop back and forth between runs. @defaultValue 0.01
   */
  minRelativeGain?: number;
  /**
   * It may trail the best baseline's NDCG@10 (new only) by at most this share: a model that
   * wins only by repeating past purchases would starve the discovery widgets.
   * @defaultValue 0.05
   */
  newOnlyTolerance?: number;
}

export interface PromotionDecision {
  promoted: Contender;
  reason: string;
}

const fmt = (x: number) => x.toFixed(3);

/** Best baseline by NDCG@10 (all); ties go to the simpler one (earlier in the record). */
export function bestBaseline(baselines: Record<BaselineName, SettingMetrics>): BaselineName {
  let best: BaselineName | null = null;
  for (const name of Object.keys(baselines) as BaselineName[]) {
    if (best === null || baselines[name].all.ndcg > baselines[best].all.ndcg) best = name;
  }
  if (best === null) throw new Error("bestBaseline needs at least one baseline");
  return best;
}

export function decidePromotion(
  model: SettingMetrics | null,
  baselines: Record<BaselineName, SettingMetrics>,
  rule: PromotionRule = {},
  skipped?: string,
): PromotionDecision {
  const { minRelativeGain = 0.01, newOnlyTolerance = 0.05 } = rule;
  const best = bestBaseline(baselines);
  const bestAll = baselines[best].all.ndcg;
  if (!model) return { promoted: best, reason: `${skipped ?? "no model trained"}; serving ${best}` };
  const bestNew = Math.max(...Object.values(baselines).map((m) => m.new.ndcg));
  if (model.all.ndcg < bestAll * (1 + minRelativeGain)) {
    return {
      promoted: best,
      reason: `model NDCG@10 ${fmt(model.all.ndcg)} does not beat ${best} ${fmt(bestAll)} by ${minRelativeGain * 100}%`,
    };
  }
  if (model.new.ndcg < bestNew * (1 - newOnlyTolerance)) {
    return {
      promoted: best,
      reason: `model new-only NDCG@10 ${fmt(model.new.ndcg)} trails the best baseline's ${fmt(bestNew)}`,
    };
  }
  return {
    promoted: "model",
    reason: `model NDCG@10 ${fmt(model.all.ndcg)} vs ${best} ${fmt(bestAll)}; new-only ${fmt(model.new.ndcg)} vs ${fmt(bestNew)}`,
  };
}

export interface StrategyDecision {
  /** The ranker whose lists this strategy serves. */
  served: Contender;
  /** The strategy's best baseline, by its own NDCG@10. */
  baseline: BaselineName;
  reason: string;
}

/**
 * The model against the best of `byBaseline` (one NDCG@10 per baseline, ties to the earlier one),
 * with the overall rule's margin: the ranker that serves a list and why.
 */
function decideAgainst(
  own: number | null,
  byBaseline: ReadonlyArray<[BaselineName, number]>,
  minRelativeGain: number,
): StrategyDecision {
  let best: [BaselineName, number] | null = null;
  for (const entry of byBaseline) if (best === null || entry[1] > best[1]) best = entry;
  if (best === null) throw new Error("a promotion needs at least one baseline");
  const [baseline, score] = best;
  if (own === null) return { served: baseline, baseline, reason: `no model; ${baseline} ${fmt(score)}` };
  return own >= score * (1 + minRelativeGain)
    ? { served: "model", baseline, reason: `model ${fmt(own)} vs ${baseline} ${fmt(score)}` }
    : {
        served: baseline,
        baseline,
        reason: `model ${fmt(own)} does not beat ${baseline} ${fmt(score)} by ${minRelativeGain * 100}%`,
      };
}

/**
 * Promotion per personal strategy (issue 15): each strategy's list is judged in its own setting
 * (STRATEGY_SETTING), and a strategy whose model list does not beat that strategy's best baseline
 * by the same margin as the overall rule serves the baseline's list instead.
 */
export function decideStrategies(
  model: SettingMetrics | null,
  baselines: Record<BaselineName, SettingMetrics>,
  rule: PromotionRule = {},
): Record<PersonalStrategy, StrategyDecision> {
  const { minRelativeGain = 0.01 } = rule;
  const decide = (strategy: PersonalStrategy): StrategyDecision =>
    decideAgainst(
      model ? model.strategies[strategy].ndcg : null,
      (Object.keys(baselines) as BaselineName[]).map((n) => [n, baselines[n].strategies[strategy].ndcg]),
      minRelativeGain,
    );
  return { for_you: decide("for_you"), buy_again: decide("buy_again"), new_for_you: decide("new_for_you") };
}

/** Which figure of a contender judges a list, and what serves when no baseline has one. */
export interface ListJudging {
  figure: (m: SettingMetrics) => { ndcg: number; cases: number } | undefined;
  /** Served when no baseline was measured on any case (and `why` says so). */
  empty: BaselineName;
  why: string;
}

/**
 * A list judged on its own evaluation (the related lists, the first-visit list) with the same
 * margin: the baselines measured on it, against the model's figure there.
 */
export function decideList(
  model: SettingMetrics | null,
  baselines: Record<BaselineName, SettingMetrics>,
  rule: PromotionRule,
  judging: ListJudging,
): StrategyDecision {
  const measured = (Object.keys(baselines) as BaselineName[]).flatMap((n): Array<[BaselineName, number]> => {
    const figure = judging.figure(baselines[n]);
    return figure && figure.cases > 0 ? [[n, figure.ndcg]] : [];
  });
  if (measured.length === 0) return { served: judging.empty, baseline: judging.empty, reason: judging.why };
  const own = model ? judging.figure(model) : undefined;
  return decideAgainst(own ? own.ndcg : null, measured, rule.minRelativeGain ?? 0.01);
}
