/**
 * Child process of `npm run bench -- training`: one full train and evaluation on the real
 * shop's history, printed as one JSON line, so peak RSS is the training's own.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { catalogFromCsv, ordersFromCsv } from "../app/lib/model/csv";
import { trainAndEvaluate, type TrainedRecommender } from "../app/lib/model/evaluate";
import { restoreRecommender, serializeRecommender } from "../app/lib/model/artifact";
import { indexShopData } from "../app/lib/model/dataset";
import type { CatalogItem, HistoryOrder } from "../app/lib/model/types";
import { customerListsFor, runListsFor } from "../app/lib/training/build-lists";
import { initTfBackend, parseTfBackendChoice } from "../app/lib/tf/backend.server";

/** The shop to train on: the whole UCI shop unless the live benchmark names its own files. */
const ORDERS_FILE = process.env.BENCH_ORDERS_FILE ?? path.resolve(process.cwd(), "../shared/data/online-retail.csv.gz");
const PRODUCTS_FILE =
  process.env.BENCH_PRODUCTS_FILE ?? path.resolve(process.cwd(), "../shared/data/online-retail-products.csv.gz");

async function main() {
  const read = (file: string) => gunzipSync(readFileSync(file)).toString("utf8");
  const backend = await initTfBackend({ force: parseTfBackendChoice(process.env.TF_BACKEND), log: () => undefined });
  const orders = ordersFromCsv(read(ORDERS_FILE));
  const catalog = catalogFromCsv(read(PRODUCTS_FILE));
  const speeds: number[] = [];
  const started = performance.now();
  // The live bench names the customers it scored, so that this figure is on the same baskets.
  const scoredFile = process.env.BENCH_SCORED_CUSTOMERS_FILE;
  const customersIn = (file: string | undefined) =>
    file ? new Set(z.array(z.string()).parse(JSON.parse(readFileSync(file, "utf8")))) : undefined;
  const scoredCustomers = customersIn(scoredFile);
  // And the newcomers it asked for as first visits, whose first orders alone that figure is on.
  const firstVisitCustomers = customersIn(process.env.BENCH_FIRST_VISIT_CUSTOMERS_FILE);
  const result = await trainAndEvaluate(orders, catalog, {
    onEpoch: (p) => void speeds.push(p.examplesPerSecond),
    ...(scoredCustomers ? { scoredCustomers } : {}),
    ...(firstVisitCustomers ? { firstVisitCustomers } : {}),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  // Read before the refresh below, so that it stays the training's own peak.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const refresh = process.env.BENCH_REFRESH === "1" ? timeRefresh(result.model, orders, catalog) : undefined;
  process.stdout.write(
    JSON.stringify({
      backend: backend.name,
      wallSeconds,
      examplesPerSecond: speeds.length ? speeds.reduce((s, x) => s + x, 0) / speeds.length : 0,
      peakRssMb,
      ...(refresh ? { refresh } : {}),
      promoted: result.promoted,
      reason: result.reason,
      sizes: result.sizes,
      metrics: result.metrics,
      strategies: result.strategies,
      related: result.related.served,
      firstVisit: result.firstVisit.served,
    }) + "\n",
  );
}
/** A busy refresh window's orders: the refresh rebuilds the lists of their customers. */
const REFRESH_WINDOW_ORDERS = 100;

/**
 * What a list refresh after new orders costs (refreshServedLists): the run's stored model restored
 * on the shop's orders, then the lists of the customers of the newest REFRESH_WINDOW_ORDERS orders
 * built, as the training process does it; and, for comparison, every customer's lists (what a
 * refresh job that names no customers rebuilds).
 */
function timeRefresh(model: TrainedRecommender, orders: readonly HistoryOrder[], catalog: readonly CatalogItem[]) {
  const artifact = serializeRecommender(model);
  model.dnn?.dispose();
  const started = performance.now();
  const restored = restoreRecommender(artifact, indexShopData(orders, catalog));
  const restoreSeconds = (performance.now() - started) / 1000;
  const newest = [...orders].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, REFRESH_WINDOW_ORDERS);
  const customers = [...new Set(newest.map((o) => o.customerId))];
  const listed = performance.now();
  const some = customerListsFor(restored, orders, customers);
  const listsSeconds = (performance.now() - listed) / 1000;
  const everyone = performance.now();
  const all = runListsFor(restored, orders);
  const allListsSeconds = (performance.now() - everyone) / 1000;
  restored.dnn?.dispose();
  return {
    restoreSeconds,
    listsSeconds,
    customers: some.forCustomer.size,
    windowOrders: newest.length,
    allListsSeconds,
    allCustomers: all.forCustomer.size,
  };
}

void main();
