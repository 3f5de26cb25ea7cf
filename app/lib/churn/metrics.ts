/**
 * Churn metrics. Scores are "probability the customer churns"; labels are 1 for churned.
 * AUC-ROC counts tied scores as half (Mann–Whitney), PR-AUC is average precision (the
 * step-wise area, no interpolation), Brier is the mean squared error of the probabilities.
 */
export interface ChurnMetrics {
  auc: number;
  prAuc: number;
  brier: number;
  n: number;
  positives: number;
}

function check(scores: readonly number[], labels: readonly number[]): void {
  if (scores.length !== labels.length) throw new RangeError("scores and labels differ in length");
}

export function aucRoc(scores: readonly number[], labels: readonly number[]): number {
  check(scores, labels);
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  // Average ranks across ties so equal scores earn half credit.
  for (let i = 0; i < order.length;) {
    // j starts past i so a NaN score (never equal to itself) still moves the loop on.
    let j = i + 1;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]![1] === 1) {
        pos++;
        rankSumPos += avgRank;
      } else neg++;
    }
    i = j;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function prAuc(scores: readonly number[], labels: readonly number[]): number {
  check(scores, labels);
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => b[0] - a[0]);
  const positives = labels.filter((l) => l === 1).length;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let sum = 0;
  // Tied scores form one threshold: precision is taken after the whole tie group.
  for (let i = 0; i < order.length;) {
    let j = i + 1;
    let groupPos = order[i]![1] === 1 ? 1 : 0;
    while (j < order.length && order[j]![0] === order[i]![0]) {
      if (order[j]![1] === 1) groupPos++;
      j++;
    }
    tp += groupPos;
    seen = j;
    sum += groupPos * (tp / seen);
    i = j;
  }
  return sum / positives;
}

export function brier(probabilities: readonly number[], labels: readonly number[]): number {
  check(probabilities, labels);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

export function churnMetrics(probabilities: readonly number[], labels: readonly number[]): ChurnMetrics {
  return {
    auc: aucRoc(probabilities, labels),
    prAuc: prAuc(probabilities, labels),
    brier: brier(probabilities, labels),
    n: labels.length,
    positives: labels.filter((l) => l === 1).length,
  };
}
