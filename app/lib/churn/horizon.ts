/**
 * The shop's churn horizon H: how long a customer may stay away before we call them gone.
 * Taken from the shop's own rhythm (p80 of the days between a customer's consecutive orders)
 * rather than a fixed 90 days, because a coffee shop and a furniture shop repeat on very
 * different clocks. Clamped so one odd shop cannot produce a useless horizon.
 */
import { DAY_MS, type ChurnOrder } from "./types";

export const HORIZON_MIN_DAYS = 30;
export const HORIZON_MAX_DAYS = 180;

/** Days between consecutive orders of the same customer (same-day repeats count as 0). */
export function interOrderDays(orders: readonly ChurnOrder[]): number[] {
  const byCustomer = groupTimes(orders);
  const gaps: number[] = [];
  for (const times of byCustomer.values()) {
    for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) / DAY_MS);
  }
  return gaps;
}

/** Nearest-rank percentile of unsorted values (p in 0..100); NaN for no values. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** H in whole days; a shop with no repeat orders gets the upper clamp (nothing says sooner). */
export function horizonDays(orders: readonly ChurnOrder[]): number {
  const p80 = percentileOf(interOrderDays(orders), 80);
  if (Number.isNaN(p80)) return HORIZON_MAX_DAYS;
  return Math.round(Math.min(HORIZON_MAX_DAYS, Math.max(HORIZON_MIN_DAYS, p80)));
}

/** Each customer's order times (epoch ms), ascending. */
export function groupTimes(orders: readonly ChurnOrder[]): Map<string, number[]> {
  const byCustomer = new Map<string, number[]>();
  for (const o of orders) {
    const list = byCustomer.get(o.customerId);
    if (list) list.push(o.at.getTime());
    else byCustomer.set(o.customerId, [o.at.getTime()]);
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a - b);
  return byCustomer;
}
