/**
 * Cross-fitting: K networks, each trained on the customers outside one fold, so every training
 * row gets a score from a network that never saw it. Those out-of-fold scores fit the Platt
 * calibration, and new rows get the K networks' mean logit. Compared with one network on 80 %
 * and a 20 % calibration slice, every row now trains some network and calibrates it: on the UCI
 * shop AUC 0.7502 -> 0.7515 and Brier 0.2025 -> 0.2016, for about 2.5x the network's training
 * time (ADR 013). Folds go by customer, so one customer's stacked snapshots never sit on both
 * sides of a fold.
 */
import { trainChurnNet, type ChurnNet, type ChurnNetOptions } from "./dnn";
import { stableHash } from "./labels";
import { plattCalibrator, sigmoid } from "./logistic";

export const CROSS_FIT_FOLDS = 3;

export interface CrossFitted {
  /** Calibrated churn probability per row. */
  score(rows: readonly (readonly number[])[]): number[];
  dispose(): void;
}

export const foldOf = (customerId: string, folds: number) => stableHash(customerId) % folds;

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export function crossFitChurnNet(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  customerIds: readonly string[],
  options: ChurnNetOptions = {},
  folds = CROSS_FIT_FOLDS,
): CrossFitted {
  const fold = customerIds.map((id) => foldOf(id, folds));
  const outOfFold = new Array<number>(rows.length).fill(Number.NaN);
  const nets: ChurnNet[] = [];
  try {
    for (let k = 0; k < folds; k++) {
      const fit = rows.map((_, i) => i).filter((i) => fold[i] !== k);
      const held = rows.map((_, i) => i).filter((i) => fold[i] === k);
      if (fit.length === 0) continue;
      // A seed per fold, so the networks differ in their start as well as their data.
      const net = trainChurnNet(
        fit.map((i) => rows[i]!),
        fit.map((i) => labels[i]!),
        { ...options, seed: (options.seed ?? 7) + k },
      );
      nets.push(net);
      net.predict(held.map((i) => rows[i]!)).forEach((p, j) => (outOfFold[held[j]!] = p));
    }
  } catch (err) {
    nets.forEach((n) => n.dispose());
    throw err;
  }
  const scored = outOfFold.map((_, i) => i).filter((i) => !Number.isNaN(outOfFold[i]));
  const calibrate = plattCalibrator(
    scored.map((i) => outOfFold[i]!),
    scored.map((i) => labels[i]!),
  );
  return {
    score: (batch) => {
      const sums = new Array<number>(batch.length).fill(0);
      for (const net of nets) net.predict(batch).forEach((p, i) => (sums[i]! += logit(p) / nets.length));
      return sums.map((z) => calibrate(sigmoid(z)));
    },
    dispose: () => nets.forEach((n) => n.dispose()),
  };
}
