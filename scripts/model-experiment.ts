/**
 * Trains and evaluates the recommender on the shared real-shop data set and prints the model
 * beside the baselines. Data: UCI "Online Retail" (Chen, Sain & Guo 2012), CC BY 4.0; see
 * ../shared/data/README.md.
 *
 *   cd /work/main && node --import tsx scripts/model-experiment.ts
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { initTfBackend, parseTfBackendChoice } from "../app/lib/tf/backend.server";
import { catalogFromCsv, ordersFromCsv } from "../app/lib/model/csv";
import { trainAndEvaluate, type MetricsRow } from "../app/lib/model/evaluate";

const dataDir = path.resolve(import.meta.dirname, "../../shared/data");
const read = (file: string) => gunzipSync(readFileSync(path.join(dataDir, file))).toString("utf8");

const started = performance.now();
const backend = await initTfBackend({
  force: process.env.TF_BACKEND ? parseTfBackendChoice(process.env.TF_BACKEND) : "wasm",
  log: () => {},
});
const orders = ordersFromCsv(read("online-retail.csv.gz"));
const catalog = catalogFromCsv(read("online-retail-products.csv.gz"));
const loadedMs = performance.now() - started;

const speeds: number[] = [];
// VALIDATE=1 also prints the validation measure settings are chosen on (ADR 005). DISCOVERY=x
// sets for-you's mix (strategies.ts), as in ADR 005's "Strategies" table. ENSEMBLE=n trains n networks.
const result = await trainAndEvaluate(orders, catalog, {
  validate: process.env.VALIDATE === "1",
  ...(process.env.DISCOVERY ? { mix: { discovery: Number(process.env.DISCOVERY) } } : {}),
  ...(process.env.ENSEMBLE ? { ensemble: Number(process.env.ENSEMBLE) } : {}),
  onEpoch: (p) => {
    speeds.push(p.examplesPerSecond);
    console.log(
      `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} ${Math.round(p.examplesPerSecond)} ex/s eta ${p.etaSeconds.toFixed(0)} s`,
    );
  },
});

const f = (x: number) => x.toFixed(3);
const line = (name: string, m: MetricsRow) =>
  `| ${name.padEnd(12)} | ${f(m.all.hr)} / ${f(m.all.recall)} / ${f(m.all.ndcg)} | ${f(m.new.hr)} / ${f(m.new.recall)} / ${f(m.new.ndcg)} | ${f(m.coverage)} |`;
console.log(`\n| K = 10       | all: HR / Recall / NDCG | new only: HR / Recall / NDCG | coverage |`);
console.log(`|---|---|---|---|`);
if (result.metrics.model) console.log(line("model", result.metrics.model));
for (const [name, m] of Object.entries(result.metrics.baselines)) console.log(line(name, m));
// Each strategy's list (for you and buy again: all products; new for you: new only), and the share
// of its top 10 that is new to the customer.
const strategyLine = (name: string, m: MetricsRow) =>
  `| ${name.padEnd(12)} | ${Object.entries(m.strategies)
    .map(([s, x]) => `${s} ${f(x.ndcg)} (${Math.round(x.newShare * 100)} % new)`)
    .join(" | ")} |`;
console.log(`\n| K = 10       | strategies: NDCG@10 |`);
if (result.metrics.model) console.log(strategyLine("model", result.metrics.model));
for (const [name, m] of Object.entries(result.metrics.baselines)) console.log(strategyLine(name, m));
for (const [s, d] of Object.entries(result.strategies)) console.log(`${s}: serves ${d.served} (${d.reason})`);
// The related lists (related, complete the cart): a basket's first product against the rest of it.
const relatedLine = (name: string, m: MetricsRow) =>
  m.related ? `| ${name.padEnd(12)} | ${f(m.related.hr)} / ${f(m.related.recall)} / ${f(m.related.ndcg)} |` : "";
console.log(`\n| related (${result.metrics.model?.related?.cases ?? "?"} baskets) | HR / Recall / NDCG@10 |`);
if (result.metrics.model) console.log(relatedLine("model", result.metrics.model));
for (const [name, m] of Object.entries(result.metrics.baselines)) console.log(relatedLine(name, m));
console.log(`related: serves ${result.related.served} (${result.related.reason})`);
// The list for a shopper with no history, against every customer's first order.
const first = (m: MetricsRow) =>
  m.firstVisit ? `${f(m.firstVisit.hr)} / ${f(m.firstVisit.recall)} / ${f(m.firstVisit.ndcg)}` : "";
console.log(
  `\n| first visit (${result.metrics.model?.firstVisit?.cases ?? "?"} first orders) | HR / Recall / NDCG@10 |`,
);
if (result.metrics.model) console.log(`| model | ${first(result.metrics.model)} |`);
console.log(`| popularity | ${first(result.metrics.baselines.popularity)} |`);
console.log(`first visit: serves ${result.firstVisit.served} (${result.firstVisit.reason})`);
const rss = process.resourceUsage().maxRSS / 1024;
const mean = speeds.length ? speeds.reduce((s, x) => s + x, 0) / speeds.length : 0;
const validation = result.metrics.validation;
if (validation) {
  console.log(
    `\nvalidation (${validation.rows} intermediate orders): NDCG@10 all ${validation.all.toFixed(4)}, new ${validation.new.toFixed(4)}`,
  );
}
console.log(`\npromoted: ${result.promoted} (${result.reason})`);
console.log(`sizes: ${JSON.stringify(result.sizes)}`);
console.log(
  `backend ${backend.name}; load ${(loadedMs / 1000).toFixed(1)} s; train+evaluate ${(result.timings.totalMs / 1000).toFixed(1)} s ` +
    `(baselines ${(result.timings.baselinesMs / 1000).toFixed(1)}, features ${(result.timings.featuresMs / 1000).toFixed(1)}, ` +
    `train ${(result.timings.trainMs / 1000).toFixed(1)}, evaluate ${(result.timings.evaluateMs / 1000).toFixed(1)}); ` +
    `mean ${Math.round(mean)} examples/s; peak RSS ${rss.toFixed(0)} MB`,
);
