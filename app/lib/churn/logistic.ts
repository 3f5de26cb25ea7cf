/**
 * A small logistic regression fitted by Newton's method (IRLS) with a light ridge, in plain
 * numbers: the baselines and Platt calibration have a handful of inputs, where Newton reaches
 * the exact optimum in a few steps and needs no learning rate to tune.
 */
export interface Logistic {
  weights: number[];
  bias: number;
  predict(row: readonly number[]): number;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Solves A x = b for a small dense symmetric positive definite A (Gaussian elimination). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], ridge = 1e-3): Logistic {
  const positives = labels.filter((l) => l === 1).length;
  if (rows.length === 0 || positives === 0 || positives === rows.length) {
    // Nothing to separate: answer the observed rate (0.5 with no rows), smoothed away from 0 and 1.
    const rate = (positives + 1) / (rows.length + 2);
    const width = rows[0]?.length ?? 0;
    return { weights: new Array<number>(width).fill(0), bias: Math.log(rate / (1 - rate)), predict: () => rate };
  }
  const d = (rows[0]?.length ?? 0) + 1;
  let w = new Array<number>(d).fill(0);
  const x = (row: readonly number[]) => [1, ...row];
  for (let iter = 0; iter < 25; iter++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    rows.forEach((row, i) => {
      const xi = x(row);
      const p = sigmoid(xi.reduce((s, v, k) => s + v * w[k]!, 0));
      const r = Math.max(1e-9, p * (1 - p));
      for (let a = 0; a < d; a++) {
        grad[a]! += (p - labels[i]!) * xi[a]!;
        for (let b = 0; b < d; b++) hess[a]![b]! += r * xi[a]! * xi[b]!;
      }
    });
    for (let a = 1; a < d; a++) {
      grad[a]! += ridge * rows.length * w[a]!;
      hess[a]![a]! += ridge * rows.length;
    }
    const step = solve(hess, grad);
    w = w.map((v, k) => v - step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  const [bias, ...weights] = w as [number, ...number[]];
  return { weights, bias, predict: (row) => sigmoid(bias + row.reduce((s, v, k) => s + v * weights[k]!, 0)) };
}

/** Platt scaling: maps raw scores to calibrated probabilities with a 1-input logistic fit. */
export function plattCalibrator(scores: readonly number[], labels: readonly number[]): (score: number) => number {
  const logit = (p: number) =>
    Math.log(Math.min(1 - 1e-6, Math.max(1e-6, p)) / (1 - Math.min(1 - 1e-6, Math.max(1e-6, p))));
  const fit = fitLogistic(
    scores.map((s) => [logit(s)]),
    labels,
  );
  return (score) => fit.predict([logit(score)]);
}
