/**
 * The network's figures for the lists that are not a shopper's own ranking: the related lists
 * (related-eval.ts) and the list for a shopper with no history (first-visit-eval.ts). They are
 * gathered stage by stage beside the personal figures, so that each case is ranked by the stage
 * network trained before it, and each list gets its own promotion.
 */
import type { ShopData } from "./dataset";
import type { FeatureOptions } from "./features";
import { addNetworkFirstVisit, firstVisitCases, type FirstVisitCase } from "./first-visit-eval";
import { decideList, type PromotionRule, type StrategyDecision } from "./promote";
import { addNetworkRelated, ListAccumulator, PopularityClock, type ListMetrics, type RowScorer } from "./related-eval";
import type { SettingMetrics } from "./evaluate-lists";
import type { BaselineName } from "./baselines";
import type { ShopSnapshots } from "./snapshots";
import type { EvalCase } from "./split";

export class NetworkListEvaluations {
  private readonly related: ListAccumulator;
  private readonly firstVisit: ListAccumulator;
  private readonly firstCases: FirstVisitCase[];
  // One popularity clock per kind of case: each moves forward through its own cases only.
  private readonly relatedInput: { snapshots: ShopSnapshots; features: FeatureOptions; popularity: PopularityClock };
  private readonly firstInput: { snapshots: ShopSnapshots; features: FeatureOptions; popularity: PopularityClock };

  constructor(
    data: ShopData,
    snapshots: ShopSnapshots,
    features: FeatureOptions,
    k: number,
    /** Whose first orders the first-visit list is scored on. @defaultValue every customer's */
    onlyFirst?: (customerId: string) => boolean,
  ) {
    this.related = new ListAccumulator(k);
    this.firstVisit = new ListAccumulator(k);
    this.firstCases = firstVisitCases(data, onlyFirst);
    this.relatedInput = { snapshots, features, popularity: new PopularityClock(data) };
    this.firstInput = { snapshots, features, popularity: new PopularityClock(data) };
  }

  /**
   * Scores, with `network`, the related cases among `evalCases` (those of [from, to), in cutoff
   * order) and the first visits whose cutoff is in [from, to). Ranges must come in time order.
   */
  scoreRange(network: RowScorer, evalCases: readonly EvalCase[], from: number, to: number): void {
    addNetworkRelated(network, evalCases, this.relatedInput, this.related);
    const first = this.firstCases.filter((c) => c.cutoff >= from && c.cutoff < to);
    addNetworkFirstVisit(network, first, this.firstInput, this.firstVisit);
  }

  result(): { related: ListMetrics; firstVisit: ListMetrics } {
    return { related: this.related.result(), firstVisit: this.firstVisit.result() };
  }
}

/** The ranker of the related lists and of the first-visit list, each on its own figure. */
export function decideLists(
  model: SettingMetrics | null,
  baselines: Record<BaselineName, SettingMetrics>,
  rule: PromotionRule = {},
): { related: StrategyDecision; firstVisit: StrategyDecision } {
  return {
    related: decideList(model, baselines, rule, {
      figure: (m) => m.related,
      empty: "cosine",
      why: "no basket with two products to judge related lists on",
    }),
    firstVisit: decideList(model, baselines, rule, {
      figure: (m) => m.firstVisit,
      empty: "popularity",
      why: "no first order to judge the first-visit list on",
    }),
  };
}
