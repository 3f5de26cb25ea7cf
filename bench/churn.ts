/**
 * Churn quality on the UCI shop: AUC-ROC, PR-AUC and Brier of the network, each beside the best
 * baseline of the same run (by AUC), plus the training time the run adds and its peak RSS.
 */
import { execFileSync } from "node:child_process";
import type { ChurnMetrics } from "../app/lib/churn/metrics";
import { result, type BenchResult } from "./lib";

interface ChurnChildReport {
  backend: string;
  trainSeconds: number;
  peakRssMb: number;
  horizonDays: number;
  served: string;
  reason: string;
  metrics: { model: ChurnMetrics | null; recency: ChurnMetrics; rfm: ChurnMetrics };
}

/** Peak RSS budget of the churn child (bench/churn-child.ts), checked as this row's reference. */
export const CHURN_BENCH_RSS_BUDGET_MB = 1_024;

export async function benchChurn({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/churn-child.ts"], {
    env: { ...process.env, TF_BACKEND: process.env.TF_BACKEND ?? "auto", ...(quick ? { BENCH_QUICK: "1" } : {}) },
    maxBuffer: 16 * 1024 * 1024,
  }).toString();
  const report = JSON.parse(out.trim().split("\n").at(-1)!) as ChurnChildReport;
  const { recency, rfm, model } = report.metrics;
  const [bestName, best] = rfm.auc >= recency.auc ? ["rfm", rfm] : ["recency", recency];
  const note = `backend ${report.backend}; H ${report.horizonDays} d; served ${report.served} (${report.reason}); reference = ${bestName}`;
  const rows: BenchResult[] = [
    result("churn.train_s", report.trainSeconds, "s", null, note),
    result("churn.peak_rss_mb", report.peakRssMb, "MB", CHURN_BENCH_RSS_BUDGET_MB, "reference: the stated budget"),
  ];
  if (!model) return rows;
  rows.push(
    result("churn.auc", model.auc, "", best.auc),
    result("churn.pr_auc", model.prAuc, "", best.prAuc),
    result("churn.brier", model.brier, "", best.brier),
  );
  return rows;
}
