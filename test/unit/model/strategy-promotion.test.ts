import { describe, expect, it } from "vitest";
import type { BaselineName } from "../../../app/lib/model/baselines";
import type { SettingMetrics } from "../../../app/lib/model/evaluate-lists";
import type { TrainedRecommender } from "../../../app/lib/model/evaluate";
import { servedBy } from "../../../app/lib/model/lists";
import { decideStrategies } from "../../../app/lib/model/promote";

/** A contender's figures where only each strategy's NDCG@10 matters to the decision. */
function setting(forYou: number, buyAgain: number, newForYou: number): SettingMetrics {
  const m = (ndcg: number) => ({ hr: 0, recall: 0, ndcg, newShare: 0 });
  return {
    all: m(forYou),
    new: m(newForYou),
    coverage: 0,
    cases: { all: 100, new: 80 },
    strategies: { for_you: m(forYou), buy_again: m(buyAgain), new_for_you: m(newForYou) },
  };
}
const baselines: Record<BaselineName, SettingMetrics> = {
  popularity: setting(0.07, 0.06, 0.032),
  cooccurrence: setting(0.118, 0.1, 0.054),
  cosine: setting(0.148, 0.12, 0.071),
  repeat: setting(0.27, 0.269, 0.032),
};

describe("promotion per strategy (issue 15)", () => {
  it("serves the model for a strategy it beats by 1 %, and that strategy's best baseline where it does not", () => {
    // The model wins for_you and new_for_you, but its buy-again list only ties repeat's.
    const decisions = decideStrategies(setting(0.296, 0.27, 0.095), baselines);
    expect(decisions.for_you).toEqual({ served: "model", baseline: "repeat", reason: "model 0.296 vs repeat 0.270" });
    expect(decisions.new_for_you).toMatchObject({ served: "model", baseline: "cosine" });
    expect(decisions.buy_again).toEqual({
      served: "repeat",
      baseline: "repeat",
      reason: "model 0.270 does not beat repeat 0.269 by 1%",
    });
  });

  it("judges each strategy against its own best baseline, and serves baselines when there is no model", () => {
    const decisions = decideStrategies(null, baselines);
    expect(decisions.for_you).toMatchObject({ served: "repeat", reason: "no model; repeat 0.270" });
    expect(decisions.new_for_you).toMatchObject({ served: "cosine", reason: "no model; cosine 0.071" });
  });

  it("builds each strategy's stored list from the ranker the run chose for it", () => {
    const model = {
      promoted: "model",
      strategies: { for_you: "model", buy_again: "repeat", new_for_you: "model" },
      dnn: {},
    } as unknown as TrainedRecommender;
    expect(servedBy(model, "for_you")).toBe("model");
    expect(servedBy(model, "buy_again")).toBe("repeat");
    // A run restored without its network cannot rank with it: the overall choice's fallback serves.
    const restored = { ...model, dnn: null, promoted: "cosine" } as unknown as TrainedRecommender;
    expect(servedBy(restored, "new_for_you")).toBe("cosine");
  });
});
