import type { Db } from "../database/client.server";
import { baselineNote, metricsTable, type MetricsTableRow } from "./model-metrics";
import { requireShop } from "../shops/registry.server";
import { bestSellersFigure, type BestSellersFigure } from "./best-sellers-figure";
import { strategyFigures, type StrategyFigure } from "./strategy-figures";

/** One training run as the model page lists it (never the weights). */
export interface RunSummary {
  id: string;
  status: string;
  trigger: string;
  backend: string | null;
  served: string | null;
  reason: string | null;
  orders: number;
  customers: number;
  items: number;
  examples: number;
  durationMs: number | null;
  examplesPerSecond: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

export interface ModelOverview {
  /** The run whose lists the storefront serves, with its metrics. */
  active:
    | (RunSummary & {
        metrics: MetricsTableRow[];
        strategies: StrategyFigure[];
        /** The holdout group's list, measured where it is served; null for older runs. */
        bestSellers: BestSellersFigure | null;
        note: string | null;
      })
    | null;
  /** The run a rollback would return to. */
  previous: RunSummary | null;
  /** The most recent runs, newest first. */
  history: RunSummary[];
}

const HISTORY = 15;
const SUMMARY = {
  id: true,
  status: true,
  trigger: true,
  backend: true,
  served: true,
  reason: true,
  orders: true,
  customers: true,
  items: true,
  examples: true,
  durationMs: true,
  examplesPerSecond: true,
  startedAt: true,
  finishedAt: true,
  createdAt: true,
} as const;

type RunRow = Omit<RunSummary, "startedAt" | "finishedAt" | "createdAt"> & {
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
};

function summary(row: RunRow): RunSummary {
  return {
    ...row,
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function modelOverview(db: Db, shopDomain: string): Promise<ModelOverview> {
  const shop = await requireShop(db, shopDomain);
  const [history, active, previous] = await Promise.all([
    db.modelRun.findMany({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      take: HISTORY,
      select: SUMMARY,
    }),
    shop.activeModelRunId
      ? db.modelRun.findFirst({
          where: { id: shop.activeModelRunId, shopId: shop.id },
          select: { ...SUMMARY, metrics: true },
        })
      : null,
    shop.previousModelRunId
      ? db.modelRun.findFirst({ where: { id: shop.previousModelRunId, shopId: shop.id }, select: SUMMARY })
      : null,
  ]);
  let activeView: ModelOverview["active"] = null;
  if (active) {
    const { metrics, ...rest } = active;
    const table = metricsTable(metrics, active.served);
    const strategies = strategyFigures(metrics);
    activeView = {
      ...summary(rest),
      metrics: table,
      strategies,
      bestSellers: bestSellersFigure(metrics, strategies),
      note: baselineNote(active.served, table),
    };
  }
  return { active: activeView, previous: previous ? summary(previous) : null, history: history.map(summary) };
}
