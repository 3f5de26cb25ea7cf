/**
 * Child process of `npm run bench -- training`: one full train and evaluation on the real
 * shop's history, printed as one JSON line, so peak RSS is the training's own.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { catalogFromCsv, ordersFromCsv } from "../app/lib/model/csv";
import { trainAndEvaluate } from "../app/lib/model/evaluate";
import { initTfBackend, parseTfBackendChoice } from "../app/lib/tf/backend.server";

async function main() {
  const dataDir = path.resolve(process.cwd(), "../shared/data");
  const read = (file: string) => gunzipSync(readFileSync(path.join(dataDir, file))).toString("utf8");
  const backend = await initTfBackend({ force: parseTfBackendChoice(process.env.TF_BACKEND), log: () => undefined });
  const orders = ordersFromCsv(read("online-retail.csv.gz"));
  const catalog = catalogFromCsv(read("online-retail-products.csv.gz"));
  const speeds: number[] = [];
  const started = performance.now();
  const result = await trainAndEvaluate(orders, catalog, { onEpoch: (p) => void speeds.push(p.examplesPerSecond) });
  const wallSeconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      backend: backend.name,
      wallSeconds,
      examplesPerSecond: speeds.length ? speeds.reduce((s, x) => s + x, 0) / speeds.length : 0,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      promoted: result.promoted,
      reason: result.reason,
      sizes: result.sizes,
      metrics: result.metrics,
    }) + "\n",
  );
}
void main();
