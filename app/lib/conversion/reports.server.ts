import type { Db } from "../database/client.server";
import { experimentLift, type ArmTotals, type ExperimentLift } from "./lift";

const COUNTS = [
  "visitors",
  "exposedVisitors",
  "productViews",
  "impressions",
  "clicks",
  "addToCarts",
  "cartAdds",
  "checkouts",
  "orders",
  "attributedOrders",
] as const;

export type DayFunnel = Record<(typeof COUNTS)[number], number> & {
  day: string;
  revenue: number;
  attributedRevenue: number;
};

/** A shop's funnel and revenue per day (all arms together), from the rollup rows only. */
export async function dailyFunnel(db: Db, shopId: string, from: Date, to: Date): Promise<DayFunnel[]> {
  const rows = await db.dailyRollup.groupBy({
    by: ["day"],
    where: { shopId, day: { gte: from, lte: to } },
    orderBy: { day: "asc" },
    _sum: { ...Object.fromEntries(COUNTS.map((c) => [c, true])), revenue: true, attributedRevenue: true },
  });
  return rows.map((row) => {
    const sum = row._sum as Record<string, unknown>;
    return {
      day: row.day.toISOString().slice(0, 10),
      ...(Object.fromEntries(COUNTS.map((c) => [c, Number(sum[c] ?? 0)])) as Record<(typeof COUNTS)[number], number>),
      revenue: Number(sum.revenue ?? 0),
      attributedRevenue: Number(sum.attributedRevenue ?? 0),
    };
  });
}

export interface ExperimentResult {
  id: string;
  holdoutPercent: number;
  startedAt: Date;
  endedAt: Date | null;
  arms: {
    treatment: ArmTotals & { visitors: number; orders: number };
    control: ArmTotals & { visitors: number; orders: number };
  };
  lift: ExperimentLift;
}

/** An experiment's totals per arm (two rows) and its lift with confidence intervals. */
export async function experimentResult(db: Db, experimentId: string): Promise<ExperimentResult | null> {
  const experiment = await db.experiment.findUnique({ where: { id: experimentId }, include: { totals: true } });
  if (!experiment) return null;
  const arm = (name: string) => {
    const t = experiment.totals.find((row) => row.arm === name);
    return {
      visitors: t?.visitors ?? 0,
      orders: t?.orders ?? 0,
      exposedVisitors: t?.exposedVisitors ?? 0,
      convertedVisitors: t?.convertedVisitors ?? 0,
      revenue: Number(t?.revenue ?? 0),
      revenueSquares: t?.revenueSquares ?? 0,
    };
  };
  const arms = { treatment: arm("treatment"), control: arm("control") };
  return {
    id: experiment.id,
    holdoutPercent: experiment.holdoutPercent,
    startedAt: experiment.startedAt,
    endedAt: experiment.endedAt,
    arms,
    lift: experimentLift(arms.treatment, arms.control),
  };
}
