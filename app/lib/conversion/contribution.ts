import { attributeOrder, type AttributionOrder, type OrderAttributionResult } from "./attribution";
import type { ExposedVisitor } from "./buyer-match";
import { fromUnits, toUnits, unitsToNumber } from "./money";
import { dayLabelDate, localDay } from "../time-zone";

/**
 * What one order contributes to the rollups and the experiment (the OrderAttribution row), and
 * the change that swapping one contribution for another makes (docs/decisions/007). Plain code,
 * shared by the one-order recompute and the batch, so both apply the same rule.
 */
export interface Contribution {
  day: Date;
  visitorId: string | null;
  experimentId: string;
  arm: string;
  counted: boolean;
  /** Money units. */
  revenue: number;
  attributedRevenue: number;
  attributedLines: string;
}

export const NO_CONTRIBUTION: Contribution = {
  day: new Date(0),
  visitorId: null,
  experimentId: "",
  arm: "",
  counted: false,
  revenue: 0,
  attributedRevenue: 0,
  attributedLines: "[]",
};

/** An OrderAttribution row as stored (Decimal columns read as anything with toString). */
export interface StoredContribution extends Omit<Contribution, "revenue" | "attributedRevenue"> {
  revenue: { toString(): string };
  attributedRevenue: { toString(): string };
  version: number;
}

export function storedContribution(row: StoredContribution | null): Contribution {
  if (!row) return NO_CONTRIBUTION;
  return {
    day: row.day,
    visitorId: row.visitorId,
    experimentId: row.experimentId,
    arm: row.arm,
    counted: row.counted,
    revenue: toUnits(row.revenue.toString()),
    attributedRevenue: toUnits(row.attributedRevenue.toString()),
    attributedLines: row.attributedLines,
  };
}

export interface ContributionInput {
  order: AttributionOrder;
  clicks: Parameters<typeof attributeOrder>[1];
  refunded: ReadonlyMap<string, number>;
  windowDays: number;
  /** The buyer's entry in the experiment running when the order was placed (pickExperimentVisitor). */
  inTest: Pick<ExposedVisitor, "experimentId" | "visitorId" | "arm"> | null;
  /** The shop's time zone: rollup days are the shop's calendar days. */
  timeZone: string;
}

/** The order's attribution now, and the contribution that replaces what it counted before. */
export function contributionOf(input: ContributionInput): { result: OrderAttributionResult; next: Contribution } {
  const { order, inTest } = input;
  const result = attributeOrder(order, input.clicks, input.refunded, input.windowDays);
  const next: Contribution = {
    // The shop's calendar day as rollups key it (rollups.server.ts dayOf).
    day: dayLabelDate(localDay(order.placedAt, input.timeZone)),
    visitorId: inTest?.visitorId ?? order.visitorIds[0] ?? null,
    experimentId: inTest?.experimentId ?? "",
    arm: inTest?.arm ?? "",
    counted: !(order.cancelled || order.test),
    revenue: result.revenue,
    attributedRevenue: result.attributedRevenue,
    attributedLines: JSON.stringify(result.lines.map((l) => ({ ...l, revenue: fromUnits(l.revenue) }))),
  };
  return { result, next };
}

/** A change to one DailyRollup row, in money units. */
export interface RollupDelta {
  day: Date;
  experimentId: string;
  arm: string;
  orders: number;
  revenue: number;
  attributedOrders: number;
  attributedRevenue: number;
}

/** One order moving in (+1) or out (-1) of an experiment visitor's totals. */
export interface VisitorDelta {
  experimentId: string;
  visitorId: string;
  arm: string;
  sign: 1 | -1;
  /** Money units, unsigned. */
  revenue: number;
}

const isAttributed = (c: Contribution) => c.attributedLines !== "[]";

/**
 * What replacing `previous` with `next` changes, in the order the one-order path applies it:
 * the old contribution taken back from its day's row, the new one added to its own, then the
 * same for the buyer's experiment totals. Orders that do not count change nothing.
 */
export function contributionChange(
  previous: Contribution,
  next: Contribution,
): { rollups: RollupDelta[]; visitors: VisitorDelta[] } {
  const rollups: RollupDelta[] = [];
  const visitors: VisitorDelta[] = [];
  for (const [c, sign] of [
    [previous, -1],
    [next, 1],
  ] as const) {
    if (!c.counted) continue;
    rollups.push({
      day: c.day,
      experimentId: c.experimentId,
      arm: c.arm,
      orders: sign,
      revenue: sign * c.revenue,
      attributedOrders: isAttributed(c) ? sign : 0,
      attributedRevenue: sign * c.attributedRevenue,
    });
    if (c.experimentId && c.visitorId)
      visitors.push({ experimentId: c.experimentId, visitorId: c.visitorId, arm: c.arm, sign, revenue: c.revenue });
  }
  return { rollups, visitors };
}

/** What a visitor's changes do to its experiment arm's totals (ExperimentArmTotal). */
export interface VisitorTotalsChange {
  orders: number;
  /** Money units. */
  revenue: number;
  convertedVisitors: number;
  revenueSquares: number;
}

/**
 * Applies a visitor's order changes one after the other from its stored totals, as the one-order
 * path does per order: the arm's conversions follow the visitor's order count crossing zero, and
 * its sum of squared revenue per visitor (the delta method's variance) follows the revenue.
 */
export function visitorTotalsChange(
  before: { orders: number; revenue: number },
  deltas: readonly VisitorDelta[],
): VisitorTotalsChange {
  const change: VisitorTotalsChange = { orders: 0, revenue: 0, convertedVisitors: 0, revenueSquares: 0 };
  let orders = before.orders;
  let revenue = before.revenue;
  for (const d of deltas) {
    const ordersAfter = orders + d.sign;
    const revenueAfter = revenue + d.sign * d.revenue;
    change.orders += d.sign;
    change.revenue += d.sign * d.revenue;
    change.convertedVisitors += (ordersAfter > 0 ? 1 : 0) - (orders > 0 ? 1 : 0);
    change.revenueSquares += unitsToNumber(revenueAfter) ** 2 - unitsToNumber(revenue) ** 2;
    orders = ordersAfter;
    revenue = revenueAfter;
  }
  return change;
}
