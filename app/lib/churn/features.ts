/**
 * Per-customer features as of a cutoff, from orders at or before it only (nothing after the
 * cutoff may leak in). Heavy-tailed amounts enter as logs so one wholesale buyer does not
 * dominate the scale.
 */
import {
  PRODUCT_TIMING_NAMES,
  productTimings,
  productTimingValues,
  type ItemHistory,
  type ProductTiming,
} from "./product-timing";
import { DAY_MS, type ChurnOrder } from "./types";
import { EVENT_FEATURE_NAMES, eventFeatureValues, type EventTimes } from "./events";

/** Names in the order of `CustomerFeatures.values`; stored with the run for reading. */
export const FEATURE_NAMES = [
  "log_recency_days",
  "log_frequency",
  "log_monetary",
  "log_mean_order_value",
  "log_tenure_days",
  "log_mean_interval_days",
  "log_last_interval_days",
  "interval_trend",
  "overdue_ratio",
  "log_days_past_expected",
  "orders_last_horizon",
  "orders_prev_horizon",
  "spend_trend",
  "discount_share",
  "refund_share",
  "repeat",
  "orders_last_30d",
  "active_months_of_6",
  "interval_cv",
  "log_distinct_items",
  "log_lines_per_order",
  "rebought_item_share",
  "staple_affinity",
  ...PRODUCT_TIMING_NAMES,
  ...EVENT_FEATURE_NAMES,
] as const;

export interface CustomerFeatures {
  customerId: string;
  /** Raw figures the app shows and segments use. */
  recencyDays: number;
  frequency: number;
  monetary: number;
  /** Expected next order (epoch ms): last order plus the customer's typical gap (or H). */
  expectedNextAt: number;
  values: number[];
  /** Share of spend per category (when the orders carry categories). */
  categories: Map<string, number>;
}

interface Accumulator {
  times: number[];
  totals: number[];
  discount: number;
  refunded: number;
  categories: Map<string, number>;
  /** Each product's history with this customer (only when orders carry items). */
  items: Map<string, ItemHistory>;
  lines: number;
}

/** Per-customer accumulators, and per product the days between a customer's repeat purchases of it. */
function gather(sorted: readonly ChurnOrder[]) {
  const byCustomer = new Map<string, Accumulator>();
  const repeatGaps = new Map<string, number[]>();
  for (const o of sorted) {
    let acc = byCustomer.get(o.customerId);
    if (!acc) {
      acc = { times: [], totals: [], discount: 0, refunded: 0, categories: new Map(), items: new Map(), lines: 0 };
      byCustomer.set(o.customerId, acc);
    }
    acc.times.push(o.at.getTime());
    acc.totals.push(Math.max(0, o.total));
    acc.discount += o.discount ?? 0;
    acc.refunded += o.refunded ?? 0;
    for (const c of o.categories ?? []) acc.categories.set(c, (acc.categories.get(c) ?? 0) + 1);
    const t = o.at.getTime();
    for (const item of o.items ?? []) {
      const seen = acc.items.get(item);
      if (seen) {
        // Two orders at the same moment are one visit, not a repeat after zero days.
        if (t > seen.last) {
          const gaps = repeatGaps.get(item) ?? [];
          gaps.push((t - seen.last) / DAY_MS);
          repeatGaps.set(item, gaps);
        }
        seen.orders++;
        seen.last = t;
      } else acc.items.set(item, { orders: 1, first: t, last: t });
    }
    acc.lines += o.items?.length ?? 0;
  }
  return { byCustomer, repeatGaps };
}

/**
 * Per product, the share of its buyers (as of the cutoff) who bought it in two or more orders,
 * smoothed towards 0.3 with the weight of two buyers: staples score high, one-off gifts low.
 */
function stapleRates(byCustomer: ReadonlyMap<string, Accumulator>): Map<string, number> {
  const buyers = new Map<string, number>();
  const repeaters = new Map<string, number>();
  for (const acc of byCustomer.values()) {
    for (const [item, { orders: n }] of acc.items) {
      buyers.set(item, (buyers.get(item) ?? 0) + 1);
      if (n >= 2) repeaters.set(item, (repeaters.get(item) ?? 0) + 1);
    }
  }
  return new Map([...buyers].map(([item, b]) => [item, ((repeaters.get(item) ?? 0) + 0.6) / (b + 2)]));
}

const log1p = (x: number) => Math.log1p(Math.max(0, x));

function featuresOf(
  customerId: string,
  acc: Accumulator,
  cutoff: number,
  horizon: number,
  staples: ReadonlyMap<string, number>,
  timings: ReadonlyMap<string, ProductTiming>,
  eventTimes: Float64Array | undefined,
): CustomerFeatures {
  const { times, totals } = acc;
  const first = times[0]!;
  const last = times.at(-1)!;
  const recency = (cutoff - last) / DAY_MS;
  const gaps = times.slice(1).map((t, i) => (t - times[i]!) / DAY_MS);
  const meanGap = gaps.length ? gaps.reduce((s, g) => s + g, 0) / gaps.length : horizon;
  const lastGap = gaps.at(-1) ?? horizon;
  const monetary = totals.reduce((s, x) => s + x, 0);
  const inWindow = (from: number, to: number) =>
    times.filter((t) => t > cutoff - to * DAY_MS && t <= cutoff - from * DAY_MS);
  const recent = inWindow(0, horizon).length;
  const previous = inWindow(horizon, 2 * horizon).length;
  const spendRecent = totals.filter((_, i) => times[i]! > cutoff - horizon * DAY_MS).reduce((s, x) => s + x, 0);
  const gross = monetary + acc.discount;
  const catTotal = [...acc.categories.values()].reduce((s, x) => s + x, 0);
  const gapSd = gaps.length >= 2 ? Math.sqrt(gaps.reduce((s, g) => s + (g - meanGap) ** 2, 0) / gaps.length) : 0;
  const months = new Set(inWindow(0, 180).map((t) => Math.floor((cutoff - t) / DAY_MS / 30))).size;
  const distinct = acc.items.size;
  let rebought = 0;
  let staple = 0;
  for (const [item, { orders: n }] of acc.items) {
    if (n >= 2) rebought++;
    staple += staples.get(item) ?? 0;
  }
  const categories = new Map([...acc.categories].map(([c, n]) => [c, n / catTotal]));
  return {
    customerId,
    recencyDays: recency,
    frequency: times.length,
    monetary,
    expectedNextAt: last + meanGap * DAY_MS,
    categories,
    values: [
      log1p(recency),
      log1p(times.length),
      log1p(monetary),
      log1p(monetary / times.length),
      log1p((cutoff - first) / DAY_MS),
      log1p(meanGap),
      log1p(lastGap),
      // Gaps widening (> 1) is a classic sign of drifting away.
      gaps.length >= 2 ? Math.log((lastGap + 1) / (meanGap + 1)) : 0,
      Math.min(10, recency / Math.max(1, meanGap)),
      log1p(recency - meanGap),
      recent,
      previous,
      monetary > 0 ? spendRecent / monetary : 0,
      gross > 0 ? acc.discount / gross : 0,
      monetary > 0 ? Math.min(1, acc.refunded / monetary) : 0,
      times.length > 1 ? 1 : 0,
      inWindow(0, 30).length,
      months / 6,
      meanGap > 0 ? Math.min(3, gapSd / meanGap) : 0,
      log1p(distinct),
      log1p(acc.lines / times.length),
      distinct > 0 ? rebought / distinct : 0,
      distinct > 0 ? staple / distinct : 0,
      ...productTimingValues(acc.items, timings, cutoff, horizon),
      ...eventFeatureValues(eventTimes, last, cutoff, horizon),
    ],
  };
}

/**
 * Features of every customer with at least one order at or before `cutoff` (epoch ms); `events`
 * are their storefront events (events.ts), of which those at or before the cutoff count.
 */
export function featuresAsOf(
  orders: readonly ChurnOrder[],
  cutoff: number,
  horizonDays: number,
  events: EventTimes = new Map(),
): CustomerFeatures[] {
  const sorted = orders.filter((o) => o.at.getTime() <= cutoff).sort((a, b) => a.at.getTime() - b.at.getTime());
  const { byCustomer, repeatGaps } = gather(sorted);
  const staples = stapleRates(byCustomer);
  const timings = productTimings(sorted, repeatGaps, cutoff, horizonDays);
  return [...byCustomer].map(([id, acc]) => featuresOf(id, acc, cutoff, horizonDays, staples, timings, events.get(id)));
}

/** The most common categories, so every customer's shares line up in the same columns. */
export function topCategories(features: readonly CustomerFeatures[], limit: number): string[] {
  const weight = new Map<string, number>();
  for (const f of features) for (const [c, s] of f.categories) weight.set(c, (weight.get(c) ?? 0) + s);
  return [...weight]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([c]) => c);
}

/** The numeric row the networks see: base features then the chosen categories' shares. */
export function featureRow(f: CustomerFeatures, categories: readonly string[]): number[] {
  return [...f.values, ...categories.map((c) => f.categories.get(c) ?? 0)];
}
