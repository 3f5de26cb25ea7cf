import { describe, expect, it } from "vitest";
import { initTfBackend, tf } from "../../../app/lib/tf/backend.server";
import { indexShopData } from "../../../app/lib/model/dataset";
import { NOT_A_CANDIDATE, type EpochProgress } from "../../../app/lib/model/dnn";
import { RecommenderEnsemble } from "../../../app/lib/model/ensemble";
import { buildExamples } from "../../../app/lib/model/examples";
import { buildSnapshots } from "../../../app/lib/model/snapshots";
import { buildTimeSplit } from "../../../app/lib/model/split";
import { syntheticShop } from "./fixtures";

const shop = syntheticShop();
const data = indexShopData(shop.orders, shop.catalog);
const snapshots = buildSnapshots(data, data.orders[data.orders.length - 1]!.at + 1, { neighbourEveryDays: 7 });
const examples = buildExamples(data, buildTimeSplit(data), snapshots).filter((e) => e.row.pastCount > 0);

describe("RecommenderEnsemble", () => {
  it("trains its members from consecutive seeds, reports member-epochs in order, and ranks by their mean", async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    const before = tf.memory().numTensors;
    const ensemble = RecommenderEnsemble.create(data.productIds.length, 2, { seed: 4, learningRate: 0.03 });
    expect(ensemble.members.map((m) => m.options.seed)).toEqual([4, 5]);
    const progress: EpochProgress[] = [];
    // Two stages of a run of 5 epochs, as trainAndEvaluate calls it.
    ensemble.fit(examples, 3, { epochOffset: 0, totalEpochs: 5, onEpoch: (p) => progress.push(p) });
    ensemble.fit(examples, 2, { epochOffset: 3, totalEpochs: 5, onEpoch: (p) => progress.push(p) });
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress.every((p) => p.epochs === 10)).toBe(true);
    expect(progress.at(-1)!.etaSeconds).toBe(0);

    const rows = examples.slice(0, 3).map((e) => e.row);
    const [a, b] = ensemble.members.map((m) => m.score(rows));
    const mean = ensemble.score(rows);
    rows.forEach((row, r) => {
      for (const item of row.featureIndex) expect(mean[r]![item]).toBeCloseTo((a![r]![item]! + b![r]![item]!) / 2, 4);
      const outside = mean[r]!.findIndex((_, j) => !row.featureIndex.includes(j));
      if (outside >= 0) expect(mean[r]![outside]).toBe(NOT_A_CANDIDATE);
    });
    expect(a![0]).not.toEqual(b![0]);
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
