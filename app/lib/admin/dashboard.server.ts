import type { Db } from "../database/client.server";
import { dailyFunnel, experimentResult } from "../conversion/reports.server";
import { dashboardSummary, type ArmDayRow, type DashboardSummary } from "./dashboard";
import { dayStart, type DateRange } from "./date-range";
import { topProducts, type TopProduct } from "./top-products.server";

export interface Dashboard extends DashboardSummary {
  currency: string;
  topProducts: TopProduct[];
  /** The zone the days are in, and what Shopify sent when it was not a zone (shown to the merchant). */
  timeZone: { zone: string; rejected: string | null };
}

/** The parts of the shop row the dashboard needs. */
export interface DashboardShop {
  id: string;
  timeZone: string;
  timeZoneRejected: string | null;
}

/**
 * The dashboard for one shop and date range (days in the shop's zone), from rollup rows only: the daily funnel (one row
 * per day and arm), the current experiment's two arm totals, and the attribution rows of orders
 * that earned something. No raw event is read.
 */
export async function loadDashboard(db: Db, shop: DashboardShop, range: DateRange): Promise<Dashboard> {
  const shopId = shop.id;
  const from = dayStart(range.from);
  const to = dayStart(range.to);
  const [funnel, arms, experiment, currency, top] = await Promise.all([
    dailyFunnel(db, shopId, from, to),
    armDays(db, shopId, from, to),
    db.experiment.findFirst({ where: { shopId }, orderBy: { startedAt: "desc" }, select: { id: true } }),
    shopCurrency(db, shopId),
    topProducts(db, shopId, from, to),
  ]);
  const result = experiment ? await experimentResult(db, experiment.id) : null;
  return {
    ...dashboardSummary(range, funnel, arms, result, shop.timeZone),
    currency,
    topProducts: top,
    timeZone: { zone: shop.timeZone, rejected: shop.timeZoneRejected },
  };
}

/** Orders and exposed visitors per day and arm, for the conversion chart. */
async function armDays(db: Db, shopId: string, from: Date, to: Date): Promise<ArmDayRow[]> {
  const rows = await db.dailyRollup.groupBy({
    by: ["day", "arm"],
    where: { shopId, day: { gte: from, lte: to }, arm: { in: ["treatment", "control"] } },
    _sum: { exposedVisitors: true, orders: true },
  });
  return rows.map((row) => ({
    day: row.day.toISOString().slice(0, 10),
    arm: row.arm as ArmDayRow["arm"],
    exposedVisitors: row._sum.exposedVisitors ?? 0,
    orders: row._sum.orders ?? 0,
  }));
}

/**
 * The shop's currency, as its latest order states it (Shopify reports an order in the shop's
 * currency). Shops without orders show USD until the first one arrives.
 */
async function shopCurrency(db: Db, shopId: string): Promise<string> {
  const order = await db.order.findFirst({
    where: { shopId },
    orderBy: { processedAt: "desc" },
    select: { currency: true },
  });
  return order?.currency ?? "USD";
}
