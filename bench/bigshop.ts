/**
 * `npm run bench -- bigshop [--orders N]`: training a big shop in bounded memory (issue 18).
 * The shop is grown from online-retail (bench/bigshop/generate.ts), deterministic for its seed
 * and never written to disk. Each size trains in its own child so its peak RSS is its own; the
 * curve (100k, 300k, 1M orders by default) shows memory staying flat past the budget's window.
 */
import { execFileSync } from "node:child_process";
import type { MetricsRow } from "../app/lib/model/evaluate";
import type { TrainingWindow } from "../app/lib/model/window";
import { result, type BenchResult } from "./lib";

interface BigShopReport {
  orders: number;
  wallSeconds: number;
  windowSeconds: number;
  peakRssMb: number;
  window: TrainingWindow & { ordersKept: number; customers: number };
  promoted: string;
  sizes: { items: number; customers: number; examples: number };
  metrics: { model: MetricsRow | null; baselines: Record<string, MetricsRow> };
}

function trainBigShop(orders: number): BigShopReport {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/bigshop/train-child.ts"], {
    env: { ...process.env, BIGSHOP_ORDERS: String(orders), TF_BACKEND: process.env.TF_BACKEND ?? "auto" },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  }).toString();
  return JSON.parse(out.trim().split("\n").at(-1)!) as BigShopReport;
}

export function bigShopSizes(args: readonly string[], quick: boolean): number[] {
  const at = args.indexOf("--orders");
  const given = at >= 0 ? Number(args[at + 1]) : NaN;
  if (Number.isInteger(given) && given > 0) return [given];
  return quick ? [20_000, 60_000] : [100_000, 300_000, 1_000_000];
}

export async function benchBigShop({ quick, args = [] }: { quick: boolean; args?: readonly string[] }) {
  const rows: BenchResult[] = [];
  const reports = bigShopSizes(args, quick).map((orders) => {
    process.stderr.write(`  bigshop: ${orders.toLocaleString("en")} orders…\n`);
    const report = trainBigShop(orders);
    process.stderr.write(
      `  bigshop: ${orders.toLocaleString("en")} orders: ${report.wallSeconds.toFixed(0)} s, ` +
        `${report.peakRssMb.toFixed(0)} MB, window by ${report.window.rule} ${report.window.since?.toString().slice(0, 10) ?? "all"}, ` +
        `${report.window.items ?? report.sizes.items} products, ${report.window.customers} customers, ` +
        `${report.window.linesKept}/${report.window.linesTotal} lines\n`,
    );
    return report;
  });
  const first = reports[0]!;
  for (const r of reports) {
    const tag = `${Math.round(r.orders / 1000)}k`;
    rows.push(result(`training.big.${tag}.wall_s`, r.wallSeconds, "s", null, `promoted ${r.promoted}`));
    rows.push(
      result(
        `training.big.${tag}.peak_rss_mb`,
        r.peakRssMb,
        "MB",
        first.peakRssMb,
        `reference: ${first.orders} orders`,
      ),
    );
  }
  const last = reports.at(-1)!;
  rows.push(result("training.big.peak_rss_mb", last.peakRssMb, "MB", last.window.budgetMb, "reference: the budget"));
  rows.push(result("training.big.wall_s", last.wallSeconds, "s", 900, "reference: the 900 s target"));
  const model = last.metrics.model;
  for (const setting of ["all", "new"] as const) {
    const best = Object.entries(last.metrics.baselines).sort((a, b) => b[1][setting].ndcg - a[1][setting].ndcg)[0]!;
    if (model) {
      rows.push(
        result(
          `quality.big.${setting}.ndcg10`,
          model[setting].ndcg,
          "ndcg",
          best[1][setting].ndcg,
          `reference: ${best[0]}`,
        ),
      );
    }
  }
  return rows;
}
