/**
 * Child of `npm run bench -- bigshop`: grows the big shop to BIGSHOP_ORDERS orders, chooses the
 * training window for TRAIN_MAX_RSS_MB from counts (as a worker does from the database), loads
 * only that window, trains and evaluates. One JSON line out; peak RSS is this process's own.
 * The window keeps whole customers, as training does; BIGSHOP_WINDOW_RULE=days (bench only)
 * cuts by days instead, to compare the two rules on the same shop.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { catalogFromCsv, ordersFromCsv } from "../../app/lib/model/csv";
import { trainAndEvaluate } from "../../app/lib/model/evaluate";
import type { HistoryOrder } from "../../app/lib/model/types";
import { z } from "zod";
import { chooseWindow, countsOfOrders, DEFAULT_TRAIN_BUDGET_MB, windowed } from "../../app/lib/model/window";
import { initTfBackend, parseTfBackendChoice } from "../../app/lib/tf/backend.server";
import { bigShopCatalog, bigShopOrders, type BigShopSource } from "./generate";

const DATA = path.resolve(process.cwd(), "../shared/data");

async function main() {
  const target = Number(process.env.BIGSHOP_ORDERS ?? 100_000);
  const budgetMb = Number(process.env.TRAIN_MAX_RSS_MB ?? DEFAULT_TRAIN_BUDGET_MB);
  const rule = z.enum(["customers", "days"]).parse(process.env.BIGSHOP_WINDOW_RULE ?? "customers");
  const read = (file: string) => gunzipSync(readFileSync(path.join(DATA, file))).toString("utf8");
  const backend = await initTfBackend({ force: parseTfBackendChoice(process.env.TF_BACKEND), log: () => undefined });
  const source: BigShopSource = {
    orders: ordersFromCsv(read("online-retail.csv.gz")),
    catalog: catalogFromCsv(read("online-retail-products.csv.gz")),
  };
  const started = performance.now();
  const grow = () => bigShopOrders(source, { orders: target });
  const { window, keep, orders } = await loadWindow(grow, rule, budgetMb);
  const catalog = [...bigShopCatalog(source, { orders: target })].filter((c) => !keep || keep.has(c.productId));
  const windowMs = performance.now() - started;
  const windowCustomers = new Set(orders.map((o) => o.customerId)).size;
  const result = await trainAndEvaluate(orders, catalog);
  process.stdout.write(
    JSON.stringify({
      orders: target,
      backend: backend.name,
      wallSeconds: (performance.now() - started) / 1000,
      windowSeconds: windowMs / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      window: { ...window, ordersKept: orders.length, customers: windowCustomers },
      promoted: result.promoted,
      reason: result.reason,
      sizes: result.sizes,
      metrics: result.metrics,
    }) + "\n",
  );
}
/** The window's orders; the per-customer tallies behind the choice are dropped on return. */
async function loadWindow(grow: () => Iterable<HistoryOrder>, rule: "customers" | "days", budgetMb: number) {
  const counts = countsOfOrders(grow, rule);
  const { window, keep } = await chooseWindow(counts, budgetMb);
  // Under "customers" the cut is the set of customers last active since the window's day.
  const customers = rule === "customers" && window.since ? counts.customersActiveSince(window.since) : null;
  const since = rule === "days" ? window.since : null;
  const orders: HistoryOrder[] = [];
  for (const order of grow()) {
    const kept = windowed(order, since, keep, customers);
    if (kept) orders.push(kept);
  }
  return { window, keep, orders };
}

void main();
