import type { Tx } from "../database/client.server";
import { dayLabelDate, localDay } from "../time-zone";

/** A transaction client: rollups only ever change together with what they summarise. */

/**
 * The shop's calendar day an instant falls on, as rollup rows key it: midnight UTC of the date
 * the shop's clock showed (a label, so a 23- or 25-hour day is still one row).
 */
export function dayOf(at: Date, timeZone: string): Date {
  return dayLabelDate(localDay(at, timeZone));
}

export interface RollupKey {
  shopId: string;
  day: Date;
  /** "" outside any experiment. */
  experimentId: string;
  /** treatment | control, or "" outside any experiment. */
  arm: string;
}

type Count =
  | "visitors"
  | "exposedVisitors"
  | "productViews"
  | "impressions"
  | "clicks"
  | "addToCarts"
  | "cartAdds"
  | "checkouts"
  | "orders"
  | "attributedOrders";
export type RollupChange = Partial<Record<Count, number>> & {
  /** Decimal strings; negative to take back. */
  revenue?: string;
  attributedRevenue?: string;
};

const isZero = (v: number | string | undefined) => v === undefined || Number(v) === 0;

/** Adds (or, with negative values, takes back) counts on one day's row, creating it if needed. */
export async function changeRollup(tx: Tx, key: RollupKey, change: RollupChange): Promise<void> {
  const entries = Object.entries(change).filter(([, v]) => !isZero(v));
  if (entries.length === 0) return;
  await tx.dailyRollup.upsert({
    where: { shopId_day_experimentId_arm: key },
    create: { ...key, ...Object.fromEntries(entries) },
    update: Object.fromEntries(entries.map(([k, v]) => [k, { increment: v }])),
  });
}

export interface ArmTotalChange {
  visitors?: number;
  exposedVisitors?: number;
  convertedVisitors?: number;
  orders?: number;
  revenue?: string;
  revenueSquares?: number;
}

/** Adds to an experiment arm's running totals (ExperimentArmTotal). */
export async function changeArmTotal(tx: Tx, experimentId: string, arm: string, change: ArmTotalChange): Promise<void> {
  const entries = Object.entries(change).filter(([, v]) => !isZero(v));
  if (entries.length === 0) return;
  await tx.experimentArmTotal.upsert({
    where: { experimentId_arm: { experimentId, arm } },
    create: { experimentId, arm, ...Object.fromEntries(entries) },
    update: Object.fromEntries(entries.map(([k, v]) => [k, { increment: v }])),
  });
}
