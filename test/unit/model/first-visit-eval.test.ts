import { describe, expect, it } from "vitest";
import { indexShopData } from "../../../app/lib/model/dataset";
import type { TrainedRecommender } from "../../../app/lib/model/evaluate";
import { evaluateBaselines, trainAndEvaluate } from "../../../app/lib/model/evaluate";
import type { SettingMetrics } from "../../../app/lib/model/evaluate-lists";
import { evaluateFirstVisitPopularity, firstVisitCases } from "../../../app/lib/model/first-visit-eval";
import { decideLists } from "../../../app/lib/model/list-evaluations";
import { firstVisitBy, firstVisitList } from "../../../app/lib/model/lists";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { catalogOf, order, syntheticShop } from "./fixtures";

/**
 * Worked by hand: first orders on days 0 (A), 1 (A), 2 (B) and 3 (A, C). Before day 1 only A has
 * sold, so popularity lists A first (a hit); before day 2 it lists A then B (B at rank 2); before
 * day 3, A (2 orders) first (a hit among two targets, whose ideal is two hits).
 */
function handShop() {
  return indexShopData(
    [
      order("o1", "a", 0, ["A"]),
      order("o2", "b", 1, ["A"]),
      order("o3", "c", 2, ["B"]),
      order("o4", "d", 3, ["A", "C"]),
      // A second order is not a first visit.
      order("o5", "a", 4, ["C"]),
    ],
    catalogOf(["A", "B", "C"]),
  );
}

describe("the first-visit list's evaluation (issue 15)", () => {
  it("takes each customer's first order as a case, and scores popularity before it", () => {
    const data = handShop();
    const cases = firstVisitCases(data);
    expect(cases.map((c) => data.customerIds[c.customer])).toEqual(["a", "b", "c", "d"]);
    const m = evaluateFirstVisitPopularity(data, cases, 10);
    // a: nothing sold yet, ties by index put A first (1); b: A first (1); c: B second (1/log2 3);
    // d: A first of targets {A, C}, C third: (1 + 1/log2 4) / (1 + 1/log2 3).
    const d = (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3));
    expect(m.cases).toBe(4);
    expect(m.ndcg).toBeCloseTo((1 + 1 + 1 / Math.log2(3) + d) / 4, 10);
    expect(firstVisitCases(data, (id) => id === "c")).toHaveLength(1);
  });

  it("scores first visits on the customers named for them, apart from the other cases' (the live bench's newcomers)", async () => {
    const data = handShop();
    const split = evaluateBaselines(
      data,
      10,
      {},
      (id) => id === "a",
      (id) => id === "c" || id === "d",
    );
    expect(split.popularity.firstVisit!.cases).toBe(2);
    // Unnamed, first visits follow the scored customers.
    expect(evaluateBaselines(data, 10, {}, (id) => id === "a").popularity.firstVisit!.cases).toBe(1);

    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    const firstVisitCustomers = new Set(shop.orders.slice(0, 40).map((o) => o.customerId));
    expect(firstVisitCustomers.size).toBeGreaterThan(1);
    expect(firstVisitCustomers.size).toBeLessThan(36);
    const result = await trainAndEvaluate(shop.orders, shop.catalog, { firstVisitCustomers });
    expect(result.metrics.model!.firstVisit!.cases).toBe(firstVisitCustomers.size);
    expect(result.metrics.baselines.popularity.firstVisit!.cases).toBe(firstVisitCustomers.size);
    result.model.dnn?.dispose();
  });

  it("serves the model only when it beats popularity on first orders by 1 %", () => {
    const m = (ndcg: number, cases = 40) =>
      ({ firstVisit: { hr: 0, recall: 0, ndcg, cases } }) as unknown as SettingMetrics;
    const baselines = { popularity: m(0.05), cooccurrence: m(0), cosine: m(0), repeat: m(0) };
    // Only popularity carries the figure; the others rank the same with no history.
    for (const name of ["cooccurrence", "cosine", "repeat"] as const) delete baselines[name].firstVisit;
    expect(decideLists(m(0.06), baselines).firstVisit).toMatchObject({ served: "model", baseline: "popularity" });
    expect(decideLists(m(0.0502), baselines).firstVisit).toMatchObject({ served: "popularity" });
    const none = { ...baselines, popularity: m(0, 0) };
    expect(decideLists(m(0.06), none).firstVisit).toEqual({
      served: "popularity",
      baseline: "popularity",
      reason: "no first order to judge the first-visit list on",
    });
  });

  it("builds the stored popular list from the chosen ranker, and from the overall winner for older runs", async () => {
    const data = handShop();
    const base = { data, promoted: "repeat", dnn: null } as unknown as TrainedRecommender;
    expect(firstVisitBy(base)).toBe("repeat");
    expect(firstVisitBy({ ...base, firstVisit: "model" })).toBe("popularity");
    // Popularity over the whole history: A (3 orders), then C (2), then B (1).
    expect(firstVisitList({ ...base, firstVisit: "popularity" }, 3)).toEqual(["A", "C", "B"]);

    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    const result = await trainAndEvaluate(shop.orders, shop.catalog);
    // Every one of the 36 customers has a first order.
    expect(result.metrics.model!.firstVisit!.cases).toBe(36);
    expect(result.metrics.baselines.popularity.firstVisit!.cases).toBe(36);
    expect(result.model.firstVisit).toBe(result.firstVisit.served);
    if (result.firstVisit.served === "model") expect(result.model.dnn).not.toBeNull();
    result.model.dnn?.dispose();
  });
});
