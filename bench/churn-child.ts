/**
 * Child process of `npm run bench -- churn`: one churn run on the UCI shop, printed as one JSON
 * line, so peak RSS is the run's own. Bound: the run caps each labelled set at
 * MAX_CUSTOMERS_PER_SET customers (app/lib/churn/labels.ts); the UCI shop has about 4,300, so
 * the budget here is under 2 minutes and CHURN_BENCH_RSS_BUDGET_MB (bench/churn.ts) on the cpu/wasm rungs. Most
 * of the peak is this child's parse of the whole CSV (ADR 013), not the run: the training child
 * reads the shop's rows from the database instead.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { churnOrdersFromHistory } from "../app/lib/churn/from-history";
import { runChurn } from "../app/lib/churn/run";
import { ordersFromCsv } from "../app/lib/model/csv";
import { initTfBackend, parseTfBackendChoice } from "../app/lib/tf/backend.server";

const ORDERS_FILE = process.env.BENCH_ORDERS_FILE ?? path.resolve(process.cwd(), "../shared/data/online-retail.csv.gz");

async function main() {
  const backend = await initTfBackend({ force: parseTfBackendChoice(process.env.TF_BACKEND), log: () => undefined });
  const orders = churnOrdersFromHistory(ordersFromCsv(gunzipSync(readFileSync(ORDERS_FILE)).toString("utf8")));
  // BENCH_CHURN_NET (JSON ChurnNetOptions) overrides the network's defaults for experiments.
  const net = {
    ...(process.env.BENCH_QUICK ? { epochs: 100 } : {}),
    ...JSON.parse(process.env.BENCH_CHURN_NET ?? "{}"),
  };
  const run = runChurn(orders, { net });
  process.stdout.write(
    JSON.stringify({
      backend: backend.name,
      trainSeconds: run.trainSeconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      horizonDays: run.horizonDays,
      served: run.served,
      reason: run.reason,
      sizes: run.sizes,
      metrics: run.metrics,
    }) + "\n",
  );
}
void main();
