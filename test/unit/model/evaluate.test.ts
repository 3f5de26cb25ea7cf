import { describe, expect, it } from "vitest";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { evaluateBaselines, trainAndEvaluate } from "../../../app/lib/model/evaluate";
import { indexShopData } from "../../../app/lib/model/dataset";
import { rankForHistory, relatedBy, relatedForProducts, topKForCustomers } from "../../../app/lib/model/lists";
import { decidePromotion } from "../../../app/lib/model/promote";
import type { SettingMetrics } from "../../../app/lib/model/evaluate-lists";
import { catalogOf, order, syntheticShop } from "./fixtures";

const figure = (ndcg: number) => ({ hr: 0, recall: 0, ndcg, newShare: 0 });
const metrics = (all: number, fresh: number, again = all, forYou = all): SettingMetrics => ({
  all: { hr: 0, recall: 0, ndcg: all },
  new: { hr: 0, recall: 0, ndcg: fresh },
  coverage: 0,
  cases: { all: 1, new: 1 },
  strategies: { for_you: figure(forYou), buy_again: figure(again), new_for_you: figure(fresh) },
});
const baselines = {
  popularity: metrics(0.07, 0.03),
  cooccurrence: metrics(0.12, 0.05),
  cosine: metrics(0.15, 0.07),
  repeat: metrics(0.27, 0.03),
};

describe("decidePromotion", () => {
  it("promotes a model that beats the best baseline on NDCG@10 and keeps discovery", () => {
    expect(decidePromotion(metrics(0.3, 0.08), baselines).promoted).toBe("model");
  });

  it("keeps the best baseline when the model wins by less than the margin", () => {
    const d = decidePromotion(metrics(0.271, 0.08), baselines);
    expect(d).toMatchObject({ promoted: "repeat" });
    expect(d.reason).toMatch(/does not beat repeat 0.270/);
  });

  it("keeps the best baseline when the model wins by repeating and loses discovery", () => {
    const d = decidePromotion(metrics(0.3, 0.05), baselines);
    expect(d.promoted).toBe("repeat");
    expect(d.reason).toMatch(/new-only/);
  });
});

describe("trainAndEvaluate", () => {
  it("Given too little data, then no network is trained and the best baseline is served with a reason", async () => {
    const orders = [
      order("o1", "a", 0, ["X", "Y"]),
      order("o2", "a", 2, ["X"]),
      order("o3", "a", 4, ["X"]),
      order("o4", "b", 1, ["Y"]),
      order("o5", "b", 3, ["Y"]),
    ];
    const result = await trainAndEvaluate(orders, catalogOf(["X", "Y", "Z"]));
    expect(result.model.dnn).toBeNull();
    expect(result.metrics.model).toBeNull();
    expect(result.reason).toMatch(/not trained: only 5 orders \(< 20\)/);
    expect(["popularity", "cooccurrence", "cosine", "repeat"]).toContain(result.promoted);
    // Both customers reorder their staple, which popularity ranks second: repeat wins.
    expect(result.promoted).toBe("repeat");
    expect(topKForCustomers(result.model, 2).get("a")?.[0]).toBe("X");
    expect(relatedForProducts(result.model, 1, ["X"]).get("X")).toEqual(["Y"]);
  });

  it("Given a crippled model, then promotion picks the best baseline", async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    const result = await trainAndEvaluate(shop.orders, shop.catalog, {
      epochs: 0,
      epochsPerStage: 0,
      dnn: { initialBlend: false, hidden: 2, hidden2: 2 },
    });
    expect(result.metrics.model).not.toBeNull();
    expect(result.promoted).not.toBe("model");
    expect(result.model.dnn).toBeNull();
    const best = Math.max(...Object.values(result.metrics.baselines).map((m) => m.all.ndcg));
    expect(result.metrics.baselines[result.promoted as "repeat"].all.ndcg).toBe(best);
    expect(result.sizes).toMatchObject({ customers: 36, items: 10, evalCases: 36 });
  });

  it("Given scored customers, then the model and every baseline are scored on their cases alone", async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    // No training: the network is its seeded initial blend, so three runs rank alike.
    const options = { epochs: 0, epochsPerStage: 0 };
    const everyone = await trainAndEvaluate(shop.orders, shop.catalog, options);
    const ids = new Set(shop.orders.map((o) => o.customerId));
    const named = await trainAndEvaluate(shop.orders, shop.catalog, { ...options, scoredCustomers: ids });
    expect(named.metrics).toEqual(everyone.metrics);
    // The repeat buyers reorder their staple: repeat ranks it first for each of them.
    const repeaters = new Set([...ids].filter((id) => id.startsWith("r")));
    const some = await trainAndEvaluate(shop.orders, shop.catalog, { ...options, scoredCustomers: repeaters });
    expect(some.metrics.baselines.repeat.all).toEqual({ hr: 1, recall: 1, ndcg: 1 });
    expect(everyone.metrics.baselines.repeat.all.ndcg).toBeLessThan(1);
    const baselinesOnThem = evaluateBaselines(indexShopData(shop.orders, shop.catalog), 10, {}, (c) =>
      repeaters.has(c),
    );
    expect(some.metrics.baselines.cosine.all).toEqual(baselinesOnThem.cosine.all);
    expect(some.metrics.model!.all).not.toEqual(everyone.metrics.model!.all);
    for (const run of [everyone, named, some]) run.model.dnn?.dispose();
  });

  it("Given the synthetic shop, the full model is promoted and serves known customers and visitors", async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    const shop = syntheticShop();
    // One network, seed 1: with seeds 2 and 3 (and so the default two-network ensemble) this
    // 12-customer shop puts the noise item N1, bought beside D, above D for C (ADR 005).
    const result = await trainAndEvaluate(shop.orders, shop.catalog, {
      epochs: 30,
      epochsPerStage: 10,
      ensemble: 1,
      dnn: { learningRate: 0.03 },
      snapshots: { neighbourEveryDays: 7 },
    });
    expect(result.metrics.model!.all.ndcg).toBeGreaterThanOrEqual(result.metrics.baselines.repeat.all.ndcg);
    expect(result.promoted).toBe("model");
    const lists = topKForCustomers(result.model, 3);
    expect(lists.get("r0")?.[0]).toBe("R1");
    const visitor = rankForHistory(
      result.model,
      [{ productId: "A", at: new Date(Date.UTC(2024, 1, 1)), quantity: 1 }],
      2,
      new Set(["A"]),
    );
    expect(visitor[0]).toBe("B");
    // The network's related list for C is D. Which ranker the stored related lists come from is
    // decided on their own evaluation (here D's baskets, whose other product is noise).
    expect(relatedForProducts({ ...result.model, related: "model" }, 1, ["C"]).get("C")).toEqual(["D"]);
    expect(relatedBy(result.model)).toBe(result.related.served);
    result.model.dnn?.dispose();
  });
});
