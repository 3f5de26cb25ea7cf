import type { DayFunnel, ExperimentResult } from "../conversion/reports.server";
import { DEFAULT_TIME_ZONE, localDay } from "../time-zone";
import { daysOf, type DateRange } from "./date-range";
import { liftSentence, type LiftSentence } from "./lift-sentence";

/** Orders and exposed visitors of one arm on one day. */
export interface ArmDayRow {
  day: string;
  arm: "treatment" | "control";
  exposedVisitors: number;
  orders: number;
}

export interface DashboardTotals {
  impressions: number;
  clicks: number;
  addToCarts: number;
  attributedOrders: number;
  attributedRevenue: number;
  /** clicks / impressions; null without impressions. */
  clickThroughRate: number | null;
  /** Add to carts from the block / impressions; null without impressions. */
  addToCartRate: number | null;
  /**
   * Orders per exposed visitor in the range, per arm; null for an arm without visitors. Rollups
   * count a visitor once per day, so a visitor who came on two days counts twice here; the lift
   * and its interval (ExperimentView) count each visitor once over the whole experiment.
   */
  conversion: { treatment: number | null; control: number | null };
}

export interface ChartDay {
  day: string;
  attributedRevenue: number;
  /** Orders per exposed visitor of the day, per arm; null on a day without exposed visitors. */
  treatment: number | null;
  control: number | null;
}

export interface ExperimentView {
  /** The shop's calendar day the experiment started on (YYYY-MM-DD). */
  startedAt: string;
  holdoutPercent: number;
  treatment: { visitors: number; rate: number | null };
  control: { visitors: number; rate: number | null };
  conversion: LiftSentence;
  revenuePerVisitor: LiftSentence;
}

export interface DashboardSummary {
  range: DateRange;
  totals: DashboardTotals;
  chart: ChartDay[];
  experiment: ExperimentView | null;
  /** Nothing at all happened in the range: the page shows its empty state. */
  empty: boolean;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** @param timeZone the shop's zone, for the experiment's first day. @defaultValue "UTC" */
export function dashboardSummary(
  range: DateRange,
  funnel: DayFunnel[],
  arms: ArmDayRow[],
  experiment: ExperimentResult | null,
  timeZone = DEFAULT_TIME_ZONE,
): DashboardSummary {
  const sum = (key: "impressions" | "clicks" | "addToCarts" | "attributedOrders" | "attributedRevenue") =>
    funnel.reduce((total, day) => total + day[key], 0);
  const totals = {
    impressions: sum("impressions"),
    clicks: sum("clicks"),
    addToCarts: sum("addToCarts"),
    attributedOrders: sum("attributedOrders"),
    attributedRevenue: sum("attributedRevenue"),
  };
  const armRate = (arm: ArmDayRow["arm"]) => {
    const rows = arms.filter((r) => r.arm === arm);
    const total = (key: "orders" | "exposedVisitors") => rows.reduce((sum, r) => sum + r[key], 0);
    return ratio(total("orders"), total("exposedVisitors"));
  };
  const byDay = new Map(funnel.map((d) => [d.day, d]));
  const rate = (day: string, arm: ArmDayRow["arm"]) => {
    const row = arms.find((r) => r.day === day && r.arm === arm);
    return row ? ratio(row.orders, row.exposedVisitors) : null;
  };
  const chart = daysOf(range).map((day) => ({
    day,
    attributedRevenue: byDay.get(day)?.attributedRevenue ?? 0,
    treatment: rate(day, "treatment"),
    control: rate(day, "control"),
  }));
  return {
    range,
    totals: {
      ...totals,
      clickThroughRate: ratio(totals.clicks, totals.impressions),
      addToCartRate: ratio(totals.addToCarts, totals.impressions),
      conversion: { treatment: armRate("treatment"), control: armRate("control") },
    },
    chart,
    experiment: experiment ? experimentView(experiment, timeZone) : null,
    empty: funnel.every((d) => d.impressions === 0 && d.visitors === 0 && d.attributedOrders === 0),
  };
}

function experimentView(result: ExperimentResult, timeZone: string): ExperimentView {
  const arm = (a: ExperimentResult["arms"]["treatment"]) => ({
    visitors: a.exposedVisitors,
    rate: ratio(a.convertedVisitors, a.exposedVisitors),
  });
  return {
    startedAt: localDay(result.startedAt, timeZone),
    holdoutPercent: result.holdoutPercent,
    treatment: arm(result.arms.treatment),
    control: arm(result.arms.control),
    conversion: liftSentence(result.lift.conversion, "conversion"),
    revenuePerVisitor: liftSentence(result.lift.revenuePerVisitor, "revenue per visitor"),
  };
}
