/**
 * Two figures the Customers page states in the merchant's words, computed inside the churn run
 * from what it already holds (no extra query, cost linear in the orders it was given):
 * - how the at-risk mark did on the evaluation split ("of the customers marked at risk on …,
 *   62 % did not come back within H days");
 * - what each of today's segments spent in each of the last months (their revenue over time).
 */
import type { CustomerFeatures } from "./features";
import type { Segment } from "./segments";
import { DAY_MS, type ChurnOrder } from "./types";

export interface AtRiskFollowUp {
  /** Epoch ms of the evaluation cutoff: the day the customers were marked. */
  markedAt: number;
  horizonDays: number;
  /** Active repeat customers whose risk was at or above the threshold on that day. */
  marked: number;
  /** Of those, how many placed no order in the horizon after it. */
  churned: number;
}

/**
 * Applies the at-risk rule of `assignSegments` (active: within the horizon, more than one order;
 * risk ≥ threshold) to the evaluation cutoff's customers and counts who really left.
 */
export function followUpAtRisk(
  evaluation: { cutoff: number; features: readonly CustomerFeatures[]; labels: readonly number[] },
  risks: readonly number[],
  horizonDays: number,
  threshold: number,
): AtRiskFollowUp {
  let marked = 0;
  let churned = 0;
  evaluation.features.forEach((f, i) => {
    const active = f.recencyDays <= horizonDays && f.frequency > 1;
    if (!active || risks[i]! < threshold) return;
    marked++;
    churned += evaluation.labels[i]!;
  });
  return { markedAt: evaluation.cutoff, horizonDays, marked, churned };
}

export const SPEND_MONTHS = 6;
const MONTH_MS = 30 * DAY_MS;

export interface SpendBySegment {
  /** Start of each 30-day period (epoch ms), oldest first; the last one ends at the run's "now". */
  periods: number[];
  /** Per segment, the revenue of its current members in each period. */
  revenue: Record<Segment, number[]>;
}

export function spendBySegment(
  orders: readonly ChurnOrder[],
  segments: ReadonlyMap<string, Segment>,
  now: number,
  months = SPEND_MONTHS,
): SpendBySegment {
  const periods = Array.from({ length: months }, (_, k) => now - (months - k) * MONTH_MS);
  const zeros = () => new Array<number>(months).fill(0);
  const revenue: Record<Segment, number[]> = {
    new: zeros(),
    active: zeros(),
    at_risk: zeros(),
    lapsed: zeros(),
    champion: zeros(),
  };
  for (const o of orders) {
    const segment = segments.get(o.customerId);
    const t = o.at.getTime();
    if (!segment || t > now || t <= periods[0]!) continue;
    // (start, start + 30 d]: the order at exactly "now" falls in the last period.
    const k = Math.min(months - 1, Math.ceil((t - periods[0]!) / MONTH_MS) - 1);
    revenue[segment][k]! += Math.max(0, o.total);
  }
  return { periods, revenue };
}
