/**
 * The two baselines every run measures the network against. Recency alone is the merchant's
 * rule of thumb ("hasn't ordered for a while"); RFM is the textbook model. Recency gets a
 * one-input logistic fit so it yields probabilities and a Brier score, which does not change
 * its ranking (AUC) at all.
 */
import type { CustomerFeatures } from "./features";
import { fitLogistic } from "./logistic";

export type BaselineName = "recency" | "rfm";
export type Scorer = (f: CustomerFeatures) => number;

const rfmRow = (f: CustomerFeatures) => [Math.log1p(f.recencyDays), Math.log1p(f.frequency), Math.log1p(f.monetary)];

export function fitBaselines(
  train: readonly CustomerFeatures[],
  labels: readonly number[],
): Record<BaselineName, Scorer> {
  const recency = fitLogistic(
    train.map((f) => [Math.log1p(f.recencyDays)]),
    labels,
  );
  const rfm = fitLogistic(train.map(rfmRow), labels);
  return {
    recency: (f) => recency.predict([Math.log1p(f.recencyDays)]),
    rfm: (f) => rfm.predict(rfmRow(f)),
  };
}
