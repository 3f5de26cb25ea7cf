/**
 * What stale training reads (app/lib/model/stale-reads.ts) cost or gain in the offline protocol:
 * trains on the whole UCI shop without them and then with them (one training after the other,
 * same seed) and prints NDCG@10 of the plain ranking (all, new only) and of the for_you and
 * buy_again lists, each beside the repeat baseline. Evaluation rows are read at their basket
 * either way; only the training rows differ.
 *
 *   node --import tsx scripts/stale-reads-offline.ts        # off, then {"share":0.5,"shopClock":"basket"}
 *   STALE_READS='{"share":0.5,"shopClock":"shifted"}' node --import tsx scripts/stale-reads-offline.ts
 *   ONLY=on … (or ONLY=off)                                 # one training instead of two
 *   SEED=2 …                                                # the networks' seed (dnn.seed), default 1
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { catalogFromCsv, ordersFromCsv } from "../app/lib/model/csv";
import { trainAndEvaluate, type MetricsRow } from "../app/lib/model/evaluate";
import { parseStaleReads, type StaleReads } from "../app/lib/model/stale-reads";
import type { CatalogItem, HistoryOrder } from "../app/lib/model/types";
import { initTfBackend } from "../app/lib/tf/backend.server";

const dataDir = path.resolve(import.meta.dirname, "../../shared/data");
const read = (file: string) => gunzipSync(readFileSync(path.join(dataDir, file))).toString("utf8");

interface Row {
  all: number;
  fresh: number;
  forYou: number;
  buyAgain: number;
}

const figures = (m: MetricsRow): Row => ({
  all: m.all.ndcg,
  fresh: m.new.ndcg,
  forYou: m.strategies.for_you.ndcg,
  buyAgain: m.strategies.buy_again.ndcg,
});

async function measure(
  orders: readonly HistoryOrder[],
  catalog: readonly CatalogItem[],
  staleReads: StaleReads | null,
  seed: number,
) {
  const started = performance.now();
  const result = await trainAndEvaluate(orders, catalog, { staleReads, dnn: { seed } });
  result.model.dnn?.dispose();
  if (!result.metrics.model) throw new Error(`no network was trained: ${result.reason}`);
  console.log(`trained ${JSON.stringify(staleReads)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { model: figures(result.metrics.model), repeat: figures(result.metrics.baselines.repeat) };
}

async function main() {
  const config = parseStaleReads(process.env.STALE_READS) ?? { share: 0.5, shopClock: "basket" };
  const seed = Number(process.env.SEED ?? 1);
  const only = process.env.ONLY;
  if (only !== undefined && only !== "on" && only !== "off") throw new Error("ONLY must be on or off");
  await initTfBackend({ log: () => undefined });
  const orders = ordersFromCsv(read("online-retail.csv.gz"));
  const catalog = catalogFromCsv(read("online-retail-products.csv.gz"));
  const runs = [
    ...(only === "on" ? [] : [["off", null] as const]),
    ...(only === "off" ? [] : [[JSON.stringify(config), config] as const]),
  ];
  const f = (x: number) => x.toFixed(4);
  const lines: string[] = [];
  let repeat: Row | undefined;
  for (const [name, staleReads] of runs) {
    const { model, repeat: r } = await measure(orders, catalog, staleReads, seed);
    repeat = r;
    lines.push(
      `| ${name} | ${f(model.all)} | ${(model.all / r.all).toFixed(3)} | ${f(model.fresh)} | ` +
        `${f(model.forYou)} | ${(model.forYou / r.all).toFixed(3)} | ${f(model.buyAgain)} |`,
    );
  }
  if (!repeat) return;
  console.log(
    `\nseed ${seed}; repeat baseline: all ${f(repeat.all)}, new ${f(repeat.fresh)}, for_you list ${f(repeat.forYou)}, buy_again list ${f(repeat.buyAgain)}`,
  );
  console.log("| stale reads | all | × repeat | new | for_you | for_you × repeat all | buy_again |");
  for (const line of lines) console.log(line);
}

void main();
