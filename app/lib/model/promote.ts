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
  const decide = (strategy: PersonalStrategy): StrategyDecision => {
    let baseline: BaselineName | null = null;
    for (const name of Object.keys(baselines) as BaselineName[]) {
      const ndcg = baselines[name].strategies[strategy].ndcg;
      if (baseline === null || ndcg > baselines[baseline].strategies[strategy].ndcg) baseline = name;
    }
    if (baseline === null) throw new Error("decideStrategies needs at least one baseline");
    const best = baselines[baseline].strategies[strategy].ndcg;
    if (!model) return { served: baseline, baseline, reason: `no model; ${baseline} ${fmt(best)}` };
    const own = model.strategies[strategy].ndcg;
    return own >= best * (1 + minRelativeGain)
      ? { served: "model", baseline, reason: `model ${fmt(own)} vs ${baseline} ${fmt(best)}` }
      : {
          served: baseline,
          baseline,
          reason: `model ${fmt(own)} does not beat ${baseline} ${fmt(best)} by ${minRelativeGain * 100}%`,
        };
  };
  return { for_you: decide("for_you"), buy_again: decide("buy_again"), new_for_you: decide("new_for_you") };
}
