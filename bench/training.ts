/**
 * Training and quality: one full train + evaluation on ../shared/data (UCI Online Retail) in a
 * child process. Quality figures sit beside the best baseline of the same run and setting.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BestSellersMetrics } from "../app/lib/model/best-sellers";
import type { MetricsRow } from "../app/lib/model/evaluate";
import { result, type BenchResult } from "./lib";

export interface ChildReport {
  backend: string;
  wallSeconds: number;
  examplesPerSecond: number;
  peakRssMb: number;
  promoted: string;
  /** The ranker the run chose for the related lists. */
  related?: string;
  /** The ranker the run chose for the list of a shopper with no history. */
  firstVisit?: string;
  /** The ranker the run chose for each personal strategy. */
  strategies?: Record<string, { served: string }>;
  metrics: { model: MetricsRow | null; baselines: Record<string, MetricsRow>; bestSellers?: BestSellersMetrics };
  /** With `refresh`: the served lists rebuilt from the stored model after the run (a list refresh). */
  refresh?: {
    restoreSeconds: number;
    listsSeconds: number;
    customers: number;
    windowOrders: number;
    allListsSeconds: number;
    allCustomers: number;
  };
}

/**
 * One training and offline evaluation in a child process; `files` names another shop's CSVs,
 * `scored` the only customers whose cases are scored (TrainAndEvaluateOptions.scoredCustomers),
 * `firstVisits` the only ones whose first orders the first-visit list is scored on
 * (TrainAndEvaluateOptions.firstVisitCustomers; default `scored`).
 */
export function trainInChild(
  files?: { orders: string; products: string },
  scored?: ReadonlySet<string>,
  firstVisits?: ReadonlySet<string>,
  { refresh = false }: { refresh?: boolean } = {},
): ChildReport {
  const dir = scored || firstVisits ? mkdtempSync(path.join(tmpdir(), "bench-scored-")) : null;
  try {
    const scoredFile = dir && scored ? path.join(dir, "customers.json") : null;
    if (scoredFile) writeFileSync(scoredFile, JSON.stringify([...scored!]));
    const firstVisitFile = dir && firstVisits ? path.join(dir, "first-visits.json") : null;
    if (firstVisitFile) writeFileSync(firstVisitFile, JSON.stringify([...firstVisits!]));
    const out = execFileSync(process.execPath, ["--import", "tsx", "bench/training-child.ts"], {
      env: {
        ...process.env,
        TF_BACKEND: process.env.TF_BACKEND ?? "auto",
        ...(files ? { BENCH_ORDERS_FILE: files.orders, BENCH_PRODUCTS_FILE: files.products } : {}),
        ...(scoredFile ? { BENCH_SCORED_CUSTOMERS_FILE: scoredFile } : {}),
        ...(firstVisitFile ? { BENCH_FIRST_VISIT_CUSTOMERS_FILE: firstVisitFile } : {}),
        ...(refresh ? { BENCH_REFRESH: "1" } : {}),
      },
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    return JSON.parse(out.trim().split("\n").at(-1)!) as ChildReport;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTraining(): Promise<BenchResult[]> {
  const report = trainInChild(undefined, undefined, undefined, { refresh: true });
  const note = `backend ${report.backend}; promoted ${report.promoted}`;
  const rows: BenchResult[] = [
    result("training.wall_s", report.wallSeconds, "s", null, note),
    result("training.examples_per_s", report.examplesPerSecond, "examples/s"),
    result("training.peak_rss_mb", report.peakRssMb, "MB"),
    ...refreshRows(report),
  ];
  const model = report.metrics.model;
  if (!model) return rows;
  for (const setting of ["all", "new"] as const) {
    const best = Object.entries(report.metrics.baselines).sort((a, b) => b[1][setting].ndcg - a[1][setting].ndcg)[0]!;
    for (const metric of ["ndcg", "hr", "recall"] as const) {
      rows.push(
        result(
          `quality.${setting}.${metric}10`,
          model[setting][metric],
          metric,
          best[1][setting][metric],
          `reference: ${best[0]} baseline`,
        ),
      );
    }
  }
  // The related lists' and the first visit's own evaluations: the model against the best baseline there.
  const lists = [
    {
      id: "quality.related.ndcg10",
      key: "related",
      cases: "baskets with two products or more",
      served: report.related,
    },
    { id: "quality.first_visit.ndcg10", key: "firstVisit", cases: "first orders", served: report.firstVisit },
  ] as const;
  for (const list of lists) {
    const own = model[list.key];
    const best = Object.entries(report.metrics.baselines)
      .flatMap(([name, m]) => (m[list.key] ? [[name, m[list.key]!] as const] : []))
      .sort((a, b) => b[1].ndcg - a[1].ndcg)[0];
    if (!own || !best) continue;
    const note = `reference: ${best[0]} baseline; ${own.cases} ${list.cases}; the run serves ${list.served ?? "?"}`;
    rows.push(result(list.id, own.ndcg, "ndcg", best[1].ndcg, note));
  }
  rows.push(...bestSellerRows(report, model));
  return rows;
}

/** A list refresh after new orders, beside the training it saves (ADR 005, "Lists that follow orders"). */
function refreshRows(report: ChildReport): BenchResult[] {
  const r = report.refresh;
  if (!r) return [];
  const note =
    `the run's stored model restored on the same orders (${r.restoreSeconds.toFixed(1)} s), then the lists of ` +
    `the ${r.customers} customers of the newest ${r.windowOrders} orders built (${r.listsSeconds.toFixed(2)} s; ` +
    `every customer's, ${r.allCustomers}, would take ${r.allListsSeconds.toFixed(1)} s); reference: the training`;
  return [result("training.refresh_s", r.restoreSeconds + r.listsSeconds, "s", report.wallSeconds, note)];
}

/** The holdout's 90-day best sellers, each beside the list a treated shopper gets in its place. */
function bestSellerRows(report: ChildReport, model: MetricsRow): BenchResult[] {
  const best = report.metrics.bestSellers;
  if (!best) return [];
  // Each beside what the run serves in its place, model or baseline.
  const row = (ranker: string | undefined) => (ranker === "model" ? model : report.metrics.baselines[ranker ?? ""]);
  const forYou = report.strategies?.for_you?.served ?? "model";
  const served = report.firstVisit;
  return [
    result(
      "quality.best_sellers.all.ndcg10",
      best.all.ndcg,
      "ndcg",
      row(forYou)?.strategies.for_you.ndcg ?? null,
      `the control arm's best sellers on ${best.all.cases} last orders; reference: the for-you list (${forYou})`,
    ),
    result(
      "quality.best_sellers.first_visit.ndcg10",
      best.firstVisit.ndcg,
      "ndcg",
      row(served)?.firstVisit?.ndcg ?? null,
      `on ${best.firstVisit.cases} first orders; reference: the run's first-visit list (${served ?? "?"})`,
    ),
  ];
}
