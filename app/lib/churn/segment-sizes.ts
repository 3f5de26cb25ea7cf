/**
 * How many customers were in each segment at the end of each of the last six 30-day periods (the
 * Customers page's "segment sizes over time", issue 21). Computed inside the churn run from the
 * orders it already holds: one pass over them per past date, keeping three numbers per customer,
 * so memory stays one small record per customer whatever the number of orders.
 *
 * The segment rules are assignSegments' own. Only the risk differs: the served model scores
 * customers as of today alone, so the last point counts today's segments (the served scores) and
 * each past date uses the run's RFM baseline (recency, frequency, spend as of that date) for the
 * at-risk test. The page says so.
 */
import type { Scorer } from "./baselines";
import { SPEND_MONTHS } from "./insight-figures";
import { assignSegments, SEGMENTS, type Segment } from "./segments";
import type { ChurnSettings } from "./settings";
import { DAY_MS, type ChurnOrder } from "./types";

const PERIOD_MS = 30 * DAY_MS;

export interface SegmentSizes {
  /** End of each 30-day period (epoch ms), oldest first; the last one is the run's "now". */
  asOf: number[];
  /** Per segment, its customer count at each date. */
  counts: Record<Segment, number[]>;
}

export interface SegmentSizeOptions {
  now: number;
  horizonDays: number;
  settings: Pick<ChurnSettings, "atRiskThreshold" | "championShare">;
  /** Today's segments, from the served scores. */
  current: ReadonlyMap<string, Segment>;
  /** The risk used at past dates; it reads only recencyDays, frequency and monetary. */
  pastRisk: Scorer;
  /** @defaultValue SPEND_MONTHS (6), so the dates line up with the spend card's periods */
  periods?: number;
}

export function segmentSizes(orders: readonly ChurnOrder[], options: SegmentSizeOptions): SegmentSizes {
  const periods = options.periods ?? SPEND_MONTHS;
  const asOf = Array.from({ length: periods }, (_, k) => options.now - (periods - 1 - k) * PERIOD_MS);
  const counts = Object.fromEntries(SEGMENTS.map((s) => [s, new Array<number>(periods).fill(0)])) as Record<
    Segment,
    number[]
  >;
  asOf.forEach((date, k) => {
    const segments = k === periods - 1 ? options.current : segmentsAt(orders, date, options);
    for (const segment of segments.values()) counts[segment][k]!++;
  });
  return { asOf, counts };
}

function segmentsAt(orders: readonly ChurnOrder[], date: number, options: SegmentSizeOptions): Map<string, Segment> {
  const byCustomer = new Map<string, { last: number; frequency: number; monetary: number }>();
  for (const o of orders) {
    const t = o.at.getTime();
    if (t > date) continue;
    const c = byCustomer.get(o.customerId);
    // Spend counted as the features count it (featuresAsOf): never below zero per order.
    if (c) {
      c.last = Math.max(c.last, t);
      c.frequency++;
      c.monetary += Math.max(0, o.total);
    } else byCustomer.set(o.customerId, { last: t, frequency: 1, monetary: Math.max(0, o.total) });
  }
  const inputs = [...byCustomer].map(([customerId, c]) => {
    const f = { customerId, recencyDays: (date - c.last) / DAY_MS, frequency: c.frequency, monetary: c.monetary };
    const risk = options.pastRisk({ ...f, expectedNextAt: 0, values: [], categories: new Map() });
    return { ...f, risk };
  });
  return assignSegments(inputs, options.horizonDays, options.settings);
}
