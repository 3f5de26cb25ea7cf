/**
 * The time split. Features come from orders up to a cutoff; the label says whether the customer
 * ordered again in the H days after it (0) or did not (1 = churned). The evaluation cutoff sits
 * H before the shop's last order so every label has its full window; the training cutoff sits
 * H before that, so training labels never see the evaluation window.
 */
import type { EventTimes } from "./events";
import { featuresAsOf, type CustomerFeatures } from "./features";
import { DAY_MS, type ChurnOrder } from "./types";

export interface LabelledSet {
  cutoff: number;
  features: CustomerFeatures[];
  /** 1 = did not order within H after the cutoff. */
  labels: number[];
}

/**
 * The bound on memory and time: at most this many customers per labelled set (about 40 floats
 * each, so tens of MB at most), taken by a stable hash so reruns choose the same customers.
 */
export const MAX_CUSTOMERS_PER_SET = 50_000;

export function stableHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function cap(features: CustomerFeatures[]): CustomerFeatures[] {
  if (features.length <= MAX_CUSTOMERS_PER_SET) return features;
  return [...features]
    .sort((a, b) => stableHash(a.customerId) - stableHash(b.customerId))
    .slice(0, MAX_CUSTOMERS_PER_SET);
}

export function labelledAt(
  orders: readonly ChurnOrder[],
  cutoff: number,
  horizonDays: number,
  events?: EventTimes,
): LabelledSet {
  const end = cutoff + horizonDays * DAY_MS;
  const returned = new Set(
    orders.filter((o) => o.at.getTime() > cutoff && o.at.getTime() <= end).map((o) => o.customerId),
  );
  const features = cap(featuresAsOf(orders, cutoff, horizonDays, events));
  return { cutoff, features, labels: features.map((f) => (returned.has(f.customerId) ? 0 : 1)) };
}

export function lastOrderAt(orders: readonly ChurnOrder[]): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const o of orders) last = Math.max(last, o.at.getTime());
  return last;
}

/**
 * Training snapshots: the latest training cutoff and earlier ones half a horizon apart, stacked.
 * More snapshots give the network more examples of the same customers at different moments;
 * every training label still ends before the evaluation cutoff.
 */
export const TRAINING_SNAPSHOTS = 6;

function stack(sets: LabelledSet[]): LabelledSet {
  return {
    cutoff: sets[0]!.cutoff,
    features: sets.flatMap((s) => s.features),
    labels: sets.flatMap((s) => s.labels),
  };
}

/** Training and evaluation sets for a shop whose latest order is at `now`. */
export function timeSplit(
  orders: readonly ChurnOrder[],
  horizonDays: number,
  now = lastOrderAt(orders),
  events?: EventTimes,
) {
  const evalCutoff = now - horizonDays * DAY_MS;
  const trainCutoff = evalCutoff - horizonDays * DAY_MS;
  const first = Math.min(...orders.map((o) => o.at.getTime()));
  const cutoffs = Array.from(
    { length: TRAINING_SNAPSHOTS },
    (_, k) => trainCutoff - (k * horizonDays * DAY_MS) / 2,
  ).filter((c, k) => k === 0 || c > first);
  return {
    train: stack(cutoffs.map((c) => labelledAt(orders, c, horizonDays, events))),
    evaluation: labelledAt(orders, evalCutoff, horizonDays, events),
  };
}
