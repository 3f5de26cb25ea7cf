/**
 * Where the live evaluation's loss against the offline one comes from (issue 15, ADR 005 "The live
 * gap"). Trains, as `npm run bench -- live` does, on the shop without each repeat customer's last
 * order, then scores the held-out baskets with the final network's features read at these moments
 * (one network for all of them: a shop retraining on a schedule would also have older weights):
 *
 * - at the basket's own time (the offline protocol's per-customer cutoff);
 * - just after the shop's last order (what the stored lists and so the App Proxy read: `presentOf`);
 * - the shopper's clock at the basket and the shop's at the end, and the reverse, obtained by
 *   shifting the shopper's history in time (only differences to the moment enter their features);
 * - just after the shopper's previous order: knowing nothing of when they come back;
 * - at the last daily, weekly or 28-day retrain before the basket (what a shop retraining on that
 *   schedule serves: the product retrains daily by default), with only what happened before it;
 * - at the first 30- or 90-day retrain after the basket (`npm run bench -- live --retrain-days N`).
 *
 *   node --import tsx scripts/live-read-time.ts          # the whole UCI shop, ~4 min of training
 *   QUICK=1 node --import tsx scripts/live-read-time.ts  # the demo's 1,000-customer slice
 *   STALE_READS='{"share":0.5,"shopClock":"basket"}' node --import tsx scripts/live-read-time.ts
 *                                                        # trained with stale reads (stale-reads.ts)
 *   SEED=2 …                                             # the networks' seed (dnn.seed), default 1
 *   VALIDATE=1 …                                         # hold out the second-to-last orders instead
 *   ENSEMBLE=3 …                                         # networks averaged (evaluate.ts), default 2
 *   FINAL_EPOCHS=3 …                                     # the served network's last pass (evaluate.ts)
 *   FRESH_WEIGHT=0.25 …                                  # the new-items loss's weight (dnn.ts), default 0.5
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { advanceCounts, emptyCounts } from "../app/lib/model/cooccurrence";
import { catalogFromCsv, ordersFromCsv } from "../app/lib/model/csv";
import { indexShopData } from "../app/lib/model/dataset";
import { evaluateBaselines, trainAndEvaluate, type TrainedRecommender } from "../app/lib/model/evaluate";
import { featureRowForHistory } from "../app/lib/model/features";
import { newOnlyTargets, scoreRanking } from "../app/lib/model/metrics";
import { topK } from "../app/lib/model/rank";
import { DAY_MS } from "../app/lib/model/snapshots";
import { parseStaleReads } from "../app/lib/model/stale-reads";
import { personalLists, repeatShare } from "../app/lib/model/strategies";
import type { HistoryOrder } from "../app/lib/model/types";
import { initTfBackend } from "../app/lib/tf/backend.server";

const MOMENTS = [
  "basket",
  "shop end",
  "shopper at basket, shop at end",
  "shopper at end, shop at basket",
  "just after the shopper's previous order",
  "the last daily run before the basket",
  "the last daily run or the shopper's own order before the basket",
  "the last weekly run before the basket",
  "the last 28-day run before the basket",
  "the first 90-day run after the basket",
  "the first 30-day run after the basket",
] as const;
type Moment = (typeof MOMENTS)[number];
/** Days between the held-out basket and the shop's end, as reported. */
const BUCKETS = [30, 90, 180, Infinity];

/** When a shop retraining every `days` days from its first order last ran before `at`. */
const runBefore = (at: number, start: number, days: number) =>
  start + Math.floor((at - start) / (days * DAY_MS)) * days * DAY_MS;

/** Each repeat customer's last order, and the shop without it (and without orders sharing its moment). */
function holdOut(orders: readonly HistoryOrder[]) {
  const mine = new Map<string, HistoryOrder[]>();
  for (const o of orders) mine.set(o.customerId, [...(mine.get(o.customerId) ?? []), o]);
  const last = new Map<string, HistoryOrder>();
  for (const [customer, own] of mine) {
    if (own.length >= 2)
      last.set(
        customer,
        own.reduce((a, b) => (b.at >= a.at ? b : a)),
      );
  }
  const replayed = orders.filter((o) => last.get(o.customerId)?.at.getTime() !== o.at.getTime());
  return { last, replayed };
}

interface CaseResult {
  daysBeforeEnd: number;
  /** `fresh`: the "new only" ranking against the basket's new products (null: nothing new bought). */
  ndcg: Record<Moment, { all: number; forYou: number; buyAgain: number; fresh: number | null }>;
}

function scoreCase(
  model: TrainedRecommender,
  customer: number,
  target: HistoryOrder,
  shopEnd: number,
  shopStart: number,
  tiebreak: Float32Array,
) {
  const { data } = model;
  const orderIdx = data.ordersByCustomer[customer] ?? [];
  const history = orderIdx.flatMap((i) => {
    const o = data.orders[i]!;
    return Array.from(o.items, (item, q) => ({ item, at: o.at, quantity: o.quantities[q] ?? 1 }));
  });
  const ordersBefore = (idx: readonly number[], at: number) =>
    idx.filter((i) => data.orders[i]!.at < at).map((i) => data.orders[i]!.items);
  const targets = new Set(target.items.map((i) => data.itemIndex.get(i.productId) ?? -1));
  const basket = target.at.getTime();
  const lastOwn = history.reduce((m, h) => Math.max(m, h.at), -Infinity);
  const shifted = (by: number) => history.map((h) => ({ ...h, at: h.at + by }));
  const readings: Record<Moment, [number, typeof history]> = {
    basket: [basket, history],
    "shop end": [shopEnd, history],
    "shopper at basket, shop at end": [shopEnd, shifted(shopEnd - basket)],
    "shopper at end, shop at basket": [basket, shifted(basket - shopEnd)],
    "just after the shopper's previous order": [lastOwn + 1, history],
    "the last daily run before the basket": [runBefore(basket, shopStart, 1), history],
    // As if the shopper's own order also rebuilt their lists: a same-day return then knows it.
    "the last daily run or the shopper's own order before the basket": [
      Math.max(runBefore(basket, shopStart, 1), lastOwn + 1),
      history,
    ],
    "the last weekly run before the basket": [runBefore(basket, shopStart, 7), history],
    "the last 28-day run before the basket": [runBefore(basket, shopStart, 28), history],
    "the first 90-day run after the basket": [
      Math.min(shopEnd, runBefore(basket, shopStart, 90) + 90 * DAY_MS),
      history,
    ],
    "the first 30-day run after the basket": [
      Math.min(shopEnd, runBefore(basket, shopStart, 30) + 30 * DAY_MS),
      history,
    ],
  };
  const ndcg = {} as CaseResult["ndcg"];
  for (const moment of MOMENTS) {
    const [at, all] = readings[moment];
    // A run reads only what happened before it: the shopper's own later orders are not history yet.
    const hist = all.filter((h) => h.at < at);
    const past = new Set(hist.map((h) => h.item));
    const share = repeatShare(ordersBefore(orderIdx, at));
    const scores = model.dnn!.score([featureRowForHistory(model.snapshots, hist, at, model.features)])[0]!;
    const lists = personalLists(scores, tiebreak, past, share, 10, model.mix);
    const freshTargets = newOnlyTargets([...targets], past);
    ndcg[moment] = {
      all: scoreRanking(topK(scores, 10, undefined, tiebreak), targets, 10).ndcg,
      forYou: scoreRanking(lists.for_you, targets, 10).ndcg,
      buyAgain: scoreRanking(lists.buy_again, targets, 10).ndcg,
      fresh: freshTargets ? scoreRanking(lists.new_for_you, freshTargets, 10).ndcg : null,
    };
  }
  return { daysBeforeEnd: (shopEnd - basket) / DAY_MS, ndcg };
}

function report(cases: readonly CaseResult[], repeat: { all: number; forYou: number; buyAgain: number }) {
  const mean = (rows: readonly CaseResult[], moment: Moment, key: "all" | "forYou" | "buyAgain" | "fresh") => {
    const values = rows.flatMap((c) => c.ndcg[moment][key] ?? []);
    return values.reduce((s, v) => s + v, 0) / Math.max(values.length, 1);
  };
  console.log(
    `${cases.length} held-out baskets; repeat baseline on them (offline protocol): all ${repeat.all.toFixed(4)}, ` +
      `for_you ${repeat.forYou.toFixed(4)}, buy_again ${repeat.buyAgain.toFixed(4)}`,
  );
  // for_you is set against repeat's "all" ranking, as the live bench's headline ratio is (ADR 005).
  console.log("| features read at | NDCG@10 all | × repeat | for_you | for_you × repeat | buy_again | new |");
  for (const m of MOMENTS) {
    const [all, forYou] = [mean(cases, m, "all"), mean(cases, m, "forYou")];
    console.log(
      `| ${m} | ${all.toFixed(4)} | ${(all / repeat.all).toFixed(3)} | ${forYou.toFixed(4)} | ` +
        `${(forYou / repeat.all).toFixed(3)} | ${mean(cases, m, "buyAgain").toFixed(4)} | ${mean(cases, m, "fresh").toFixed(4)} |`,
    );
  }
  console.log("\n| basket before the shop's end | baskets | all, read at basket | all, read at shop end |");
  let from = 0;
  for (const to of BUCKETS) {
    const rows = cases.filter((c) => c.daysBeforeEnd >= from && c.daysBeforeEnd < to);
    console.log(
      `| ${from}–${to} d | ${rows.length} | ${mean(rows, "basket", "all").toFixed(4)} | ${mean(rows, "shop end", "all").toFixed(4)} |`,
    );
    from = to;
  }
}

async function main() {
  const dir = process.env.QUICK === "1" ? "data/demo" : "../shared/data";
  const read = (file: string) => gunzipSync(readFileSync(path.join(dir, file))).toString("utf8");
  const file = ordersFromCsv(read(process.env.QUICK === "1" ? "online-retail-slice.csv.gz" : "online-retail.csv.gz"));
  // VALIDATE=1: the shop without each repeat customer's last order, so the held-out baskets are
  // the second-to-last orders, which the bench's own cases never see: settings are chosen here.
  const orders = process.env.VALIDATE === "1" ? holdOut(file).replayed : file;
  const catalog = catalogFromCsv(read("online-retail-products.csv.gz"));
  await initTfBackend({ log: () => undefined });
  const { last, replayed } = holdOut(orders);
  const staleReads = parseStaleReads(process.env.STALE_READS);
  const seed = Number(process.env.SEED ?? 1);
  const ensemble = Number(process.env.ENSEMBLE ?? 2);
  console.log(`stale reads: ${JSON.stringify(staleReads)}; seed ${seed}; ${ensemble} networks`);
  const finalEpochs = process.env.FINAL_EPOCHS ? Number(process.env.FINAL_EPOCHS) : undefined;
  const freshWeight = process.env.FRESH_WEIGHT ? Number(process.env.FRESH_WEIGHT) : undefined;
  const { model } = await trainAndEvaluate(replayed, catalog, {
    staleReads,
    ensemble,
    dnn: { seed, ...(freshWeight !== undefined ? { freshWeight } : {}) },
    ...(finalEpochs ? { finalEpochs } : {}),
  });
  if (!model.dnn) throw new Error("no network was trained: nothing to compare");
  const { data } = model;
  const shopEnd = data.orders[data.orders.length - 1]!.at + 1;
  const shopStart = data.orders[0]!.at;
  const counts = emptyCounts(data.productIds.length);
  advanceCounts(counts, data.orders, 0, Infinity);
  const customerIndex = new Map(data.customerIds.map((id, i) => [id, i]));
  const cases: CaseResult[] = [];
  for (const [id, target] of last) {
    const customer = customerIndex.get(id);
    // As live: only customers the shop knows (they have replayed orders) are asked for.
    if (customer !== undefined) cases.push(scoreCase(model, customer, target, shopEnd, shopStart, counts.itemOrders));
  }
  const scored = new Set([...last.keys()].filter((id) => customerIndex.has(id)));
  const baselines = evaluateBaselines(indexShopData(orders, catalog), 10, {}, (c) => scored.has(c));
  const { all, strategies } = baselines.repeat;
  report(cases, { all: all.ndcg, forYou: strategies.for_you.ndcg, buyAgain: strategies.buy_again.ndcg });
  model.dnn.dispose();
}

void main();
