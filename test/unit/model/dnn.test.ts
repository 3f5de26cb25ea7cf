import { describe, expect, it } from "vitest";
import { initTfBackend, tf } from "../../../app/lib/tf/backend.server";
import { indexShopData } from "../../../app/lib/model/dataset";
import { RecommenderDnn, type EpochProgress } from "../../../app/lib/model/dnn";
import { TrainingDivergedError } from "../../../app/lib/model/errors";
import { buildExamples } from "../../../app/lib/model/examples";
import { featureRowForHistory } from "../../../app/lib/model/features";
import { buildSnapshots } from "../../../app/lib/model/snapshots";
import { buildTimeSplit } from "../../../app/lib/model/split";
import { syntheticShop } from "./fixtures";

const shop = syntheticShop();
const data = indexShopData(shop.orders, shop.catalog);
const end = data.orders[data.orders.length - 1]!.at + 1;
const snapshots = buildSnapshots(data, end, { neighbourEveryDays: 7 });
const examples = buildExamples(data, buildTimeSplit(data), snapshots).filter((e) => e.row.pastCount > 0);
const item = (id: string) => data.itemIndex.get(id)!;
const scoresFor = (dnn: RecommenderDnn, ids: string[]) =>
  dnn.score([
    featureRowForHistory(
      snapshots,
      ids.map((id) => ({ item: item(id), at: end - 2, quantity: 1 })),
      end,
    ),
  ])[0]!;
const argmax = (xs: ArrayLike<number>) => Array.from(xs).indexOf(Math.max(...Array.from(xs)));
const finalLoss: Record<string, number> = {};

describe.each(["wasm", "cpu"] as const)("RecommenderDnn on %s", (backend) => {
  it("Given customers who buy A then B, a network starting from nothing learns B after A and D after C", async () => {
    await initTfBackend({ force: backend, log: () => {} });
    const before = tf.memory().numTensors;
    const dnn = new RecommenderDnn(data.productIds.length, {
      learningRate: 0.03,
      seed: 5,
      initialBlend: false,
      itemBiasL2: 0.01,
    });
    const progress: EpochProgress[] = [];
    const losses = dnn.fit(examples, 60, { onEpoch: (p) => progress.push(p) });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]! * 0.5);
    expect(progress).toHaveLength(60);
    expect(progress[59]).toMatchObject({ epoch: 60, epochs: 60, etaSeconds: 0 });
    expect(progress[0]!.examplesPerSecond).toBeGreaterThan(0);

    // "Bought next" transitions put B (after A) and D (after C) first, not the items bought.
    expect(argmax(scoresFor(dnn, ["A"]))).toBe(item("B"));
    expect(argmax(scoresFor(dnn, ["C"]))).toBe(item("D"));
    finalLoss[backend] = losses[losses.length - 1]!;
    dnn.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Given a weekly staple buyer, the staple comes first and the A-then-B pattern still wins over repeating A", async () => {
    await initTfBackend({ force: backend, log: () => {} });
    const dnn = new RecommenderDnn(data.productIds.length, { learningRate: 0.03, seed: 5 });
    dnn.fit(examples, 30);
    expect(argmax(scoresFor(dnn, ["R2"]))).toBe(item("R2"));
    const afterA = scoresFor(dnn, ["A"]);
    expect(afterA[item("B")]).toBeGreaterThan(afterA[item("A")]!);
    dnn.dispose();
  });

  it("is reproducible for a seed", async () => {
    await initTfBackend({ force: backend, log: () => {} });
    const runs = [1, 2].map(() => {
      const dnn = new RecommenderDnn(data.productIds.length, { hidden: 8, hidden2: 4, seed: 9 });
      const losses = dnn.fit(examples, 3);
      dnn.dispose();
      return losses;
    });
    expect(runs[0]).toEqual(runs[1]);
  });

  it("throws TrainingDivergedError when the loss stops being finite", async () => {
    await initTfBackend({ force: backend, log: () => {} });
    const dnn = new RecommenderDnn(data.productIds.length, { learningRate: Number.NaN, batchSize: 8 });
    const err: unknown = (() => {
      try {
        dnn.fit(examples, 3);
      } catch (e) {
        return e;
      }
    })();
    dnn.dispose();
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).message).toMatch(/Lower learningRate/);
  });
});

describe("backends agree", () => {
  it("wasm and cpu reach the same loss within float32 noise", () => {
    expect(finalLoss.wasm).toBeDefined();
    expect(finalLoss.wasm).toBeCloseTo(finalLoss.cpu ?? Number.NaN, 2);
  });
});
