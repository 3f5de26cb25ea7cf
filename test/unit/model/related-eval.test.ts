import { describe, expect, it } from "vitest";
import type { BaselineName } from "../../../app/lib/model/baselines";
import { indexShopData } from "../../../app/lib/model/dataset";
import type { TrainedRecommender } from "../../../app/lib/model/evaluate";
import { trainAndEvaluate } from "../../../app/lib/model/evaluate";
import type { SettingMetrics } from "../../../app/lib/model/evaluate-lists";
import { relatedBy, relatedForProducts } from "../../../app/lib/model/lists";
import { decideLists } from "../../../app/lib/model/list-evaluations";
import { PopularityClock, RelatedBaselines, relatedSeed } from "../../../app/lib/model/related-eval";
import { buildTimeSplit } from "../../../app/lib/model/split";
import { sweepCases } from "../../../app/lib/model/sweep";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { catalogOf, order, syntheticShop } from "./fixtures";

/**
 * Worked by hand. Before customer e's last basket (day 10: A then B), the shop has A+B twice,
 * A+C once and C alone twice, so for the seed A: co-occurrence B 2, C 1; cosine B 2/√6, C 1/√9;
 * popularity C 3, B 2 (A, the seed, is never listed). The A+C orders after day 10 must not count.
 */
function handShop() {
  const orders = [
    order("o1", "x1", 0, ["A", "B"]),
    order("o2", "x2", 1, ["A", "B"]),
    order("o3", "x3", 2, ["A", "C"]),
    order("o4", "x4", 3, ["C"]),
    order("o5", "x5", 3, ["C"]),
    order("e1", "e", 4, ["D"]),
    order("e2", "e", 10, ["A", "B"]),
    // One product in the last basket: nothing to find beside it, so no related case.
    order("f1", "f", 12, ["B"]),
    order("f2", "f", 13, ["C"]),
    ...[20, 21, 22].map((day) => order(`late${day}`, `y${day}`, day, ["A", "C"])),
  ];
  return indexShopData(orders, catalogOf(["A", "B", "C", "D"]));
}

describe("related lists' evaluation (issue 15)", () => {
  it("scores each baseline's list for a basket's first product against the rest of the basket, before its cutoff", () => {
    const data = handShop();
    const cases = buildTimeSplit(data);
    expect(cases.map((c) => relatedSeed(c))).toEqual([data.itemIndex.get("A"), null]);
    const related = new RelatedBaselines(10);
    sweepCases(data, cases, (ctx) => related.add(ctx));
    const result = related.result();
    // B first: a hit at rank 1.
    expect(result.cooccurrence).toEqual({ hr: 1, recall: 1, ndcg: 1, cases: 1 });
    expect(result.cosine.ndcg).toBe(1);
    // C (3 orders) before B (2): a hit at rank 2. Repeat knows only the seed, so it falls to popularity.
    expect(result.popularity.ndcg).toBeCloseTo(1 / Math.log2(3), 10);
    expect(result.repeat.ndcg).toBeCloseTo(1 / Math.log2(3), 10);
  });

  it("counts popularity strictly before each moment, moving forward only", () => {
    const data = handShop();
    const clock = new PopularityClock(data);
    const a = data.itemIndex.get("A")!;
    const c = data.itemIndex.get("C")!;
    const day = (d: number) => Date.UTC(2024, 0, 1) + d * 86_400_000;
    expect(clock.advanceTo(day(3))[c]).toBe(1);
    expect(clock.advanceTo(day(3.5))[c]).toBe(3);
    expect(clock.advanceTo(day(30))[a]).toBe(7);
  });
});

describe("which ranker serves the related lists", () => {
  const m = (ndcg: number, cases = 50): SettingMetrics => {
    const r = { hr: 0, recall: 0, ndcg };
    const s = { ...r, newShare: 0 };
    return {
      all: r,
      new: r,
      coverage: 0,
      cases: { all: cases, new: cases },
      strategies: { for_you: s, buy_again: s, new_for_you: s },
      related: { ...r, cases },
    };
  };
  const baselines = (cases = 50): Record<BaselineName, SettingMetrics> => ({
    popularity: m(0.02, cases),
    cooccurrence: m(0.1, cases),
    cosine: m(0.12, cases),
    repeat: m(0.02, cases),
  });

  it("serves the model when it beats the best baseline by 1 %, else that baseline", () => {
    expect(decideLists(m(0.13), baselines()).related).toEqual({
      served: "model",
      baseline: "cosine",
      reason: "model 0.130 vs cosine 0.120",
    });
    expect(decideLists(m(0.121), baselines()).related).toMatchObject({ served: "cosine", baseline: "cosine" });
    expect(decideLists(null, baselines()).related).toMatchObject({
      served: "cosine",
      reason: "no model; cosine 0.120",
    });
  });

  it("with no basket of two products there is nothing to judge: cosine serves, and the reason says so", () => {
    expect(decideLists(m(0, 0), baselines(0)).related).toEqual({
      served: "cosine",
      baseline: "cosine",
      reason: "no basket with two products to judge related lists on",
    });
  });

  it("builds the stored lists from the chosen ranker, and from the old rule for runs recorded before", () => {
    const data = handShop();
    const base = { data, promoted: "model", dnn: null } as unknown as TrainedRecommender;
    expect(relatedBy({ ...base, related: "popularity" })).toBe("popularity");
    // A model choice restored without its network, or an old baseline run: cosine.
    expect(relatedBy({ ...base, related: "model" })).toBe("cosine");
    expect(relatedBy({ ...base, promoted: "repeat" })).toBe("cosine");
    expect(relatedBy({ ...base, dnn: {} } as unknown as TrainedRecommender)).toBe("model");
    // Over the whole history, A sells with C four times and with B three times.
    expect(relatedForProducts({ ...base, related: "cooccurrence" }, 2, ["A"]).get("A")).toEqual(["C", "B"]);
    // Popularity: C (7 orders), B (4), D (1).
    expect(relatedForProducts({ ...base, related: "popularity" }, 3, ["A"]).get("A")).toEqual(["C", "B", "D"]);
  });

  it("is decided on every training run, and the model keeps its network when only the related lists need it", async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    const result = await trainAndEvaluate(shop.orders, shop.catalog);
    // The C-buyers' last baskets are D plus a noise product: 12 related cases.
    expect(result.metrics.model!.related!.cases).toBe(12);
    expect(result.metrics.baselines.cosine.related!.cases).toBe(12);
    expect(result.model.related).toBe(result.related.served);
    expect(result.related.reason).toMatch(/cosine|cooccurrence|popularity|repeat/);
    if (result.related.served === "model") expect(result.model.dnn).not.toBeNull();
    result.model.dnn?.dispose();
  });
});
