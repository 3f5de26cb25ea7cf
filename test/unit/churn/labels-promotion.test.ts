import { describe, expect, it } from "vitest";
import { featuresAsOf } from "../../../app/lib/churn/features";
import { labelledAt, timeSplit, TRAINING_SNAPSHOTS } from "../../../app/lib/churn/labels";
import { choosePromotion } from "../../../app/lib/churn/promote";
import { DAY_MS, type ChurnOrder } from "../../../app/lib/churn/types";

const T0 = Date.UTC(2026, 0, 1);
const day = (d: number) => T0 + d * DAY_MS;
const order = (customerId: string, d: number): ChurnOrder => ({ customerId, at: new Date(day(d)), total: 10 });
const metrics = (auc: number) => ({ auc, prAuc: 0.5, brier: 0.2, n: 100, positives: 50 });

describe("the churn time split, worked by hand", () => {
  // Cutoff day 20, horizon 30: features from orders up to day 20, labels from (day 20, day 50].
  const orders = [
    order("A", 0),
    order("A", 50), // on the window's last day: A came back
    order("B", 10), // nothing after: B churned
    order("C", 20), // on the cutoff: C's features see it
    order("C", 51), // a day past the window: C still counts as churned
    order("D", 30), // first order after the cutoff: D is not in the set
  ];

  it("labels 1 whoever placed no order in the horizon after the cutoff, from features up to it", () => {
    const set = labelledAt(orders, day(20), 30);
    expect(set.cutoff).toBe(day(20));
    const labels = Object.fromEntries(set.features.map((f, i) => [f.customerId, set.labels[i]]));
    expect(labels).toEqual({ A: 0, B: 1, C: 1 });
    expect(set.features.find((f) => f.customerId === "C")!.frequency).toBe(1);
  });

  it("puts the evaluation cutoff a horizon before the last order, and every training label before it", () => {
    // The last order is on day 200 and H is 30: evaluation cutoff day 170, training cutoffs
    // 140, 125, 110, … half a horizon apart, each after the first order (day 0).
    const shop = [...Array.from({ length: 21 }, (_, k) => order(`c${k % 4}`, k * 10))];
    const { train, evaluation } = timeSplit(shop, 30);
    expect(evaluation.cutoff).toBe(day(170));
    expect(train.cutoff).toBe(day(140));
    const cutoffs = Array.from({ length: TRAINING_SNAPSHOTS }, (_, k) => 140 - k * 15);
    // Every training label's window ends by the evaluation cutoff: it never sees the evaluated days.
    expect(Math.max(...cutoffs) + 30).toBeLessThanOrEqual(170);
    const expected = cutoffs.map((c) => labelledAt(shop, day(c), 30));
    expect(train.labels).toEqual(expected.flatMap((s) => s.labels));
    expect(train.features.map((f) => f.customerId)).toEqual(
      expected.flatMap((s) => s.features.map((f) => f.customerId)),
    );
  });

  it("expects the next order one mean gap after the last, or a horizon after a single order", () => {
    const byId = new Map(
      featuresAsOf([order("A", 10), order("A", 40), order("A", 95), order("B", 50)], day(100), 60).map((f) => [
        f.customerId,
        f,
      ]),
    );
    // A's gaps are 30 and 55 days: next order expected 42.5 days after day 95.
    expect(byId.get("A")!.expectedNextAt).toBe(day(95 + 42.5));
    expect(byId.get("B")!.expectedNextAt).toBe(day(50 + 60));
  });
});

describe("churn promotion", () => {
  it("serves the best baseline, and says why, when the model does not beat it", () => {
    expect(choosePromotion(metrics(0.7), { recency: metrics(0.66), rfm: metrics(0.72) })).toEqual({
      served: "rfm",
      reason: "model AUC 0.700 does not beat rfm 0.720",
    });
    // A tie is not a win: the simpler scorer stays.
    expect(choosePromotion(metrics(0.72), { recency: metrics(0.72), rfm: metrics(0.6) }).served).toBe("recency");
  });

  it("serves the model only when its AUC is above every baseline's", () => {
    expect(choosePromotion(metrics(0.75), { recency: metrics(0.66), rfm: metrics(0.73) })).toEqual({
      served: "model",
      reason: "model AUC 0.750 beats rfm 0.730",
    });
  });

  it("serves the best baseline with the run's reason when no model was trained, or its AUC is undefined", () => {
    const baselines = { recency: metrics(0.7), rfm: metrics(0.65) };
    expect(choosePromotion(null, baselines, "only 12 repeat customers")).toEqual({
      served: "recency",
      reason: "only 12 repeat customers",
    });
    expect(choosePromotion(metrics(Number.NaN), baselines).reason).toBe(
      "the evaluation window has only one outcome, AUC undefined",
    );
  });
});
