/**
 * `npm run bench [-- <name>…] [-- --quick] [-- --metrics-compare]`: runs the benchmarks, prints one table and writes
 * bench/results.json. Every figure is measured beside its reference in the same run, because
 * these machines are shared and noisy: a ratio holds where an absolute time does not.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { benchBackfill } from "./backfill";
import { benchBigShop } from "./bigshop";
import { benchBlock } from "./block";
import { benchChurn } from "./churn";
import { benchEvents } from "./events";
import { benchIntake } from "./intake";
import { benchLive } from "./live";
import { benchRedisBytes } from "./redis-bytes";
import { benchScale } from "./scale";
import { benchServing } from "./serving";
import { benchTraining } from "./training";
import { BENCH_DB_DIR, machine, type BenchResult } from "./lib";
import { compareMetrics, COMPARE_ROUNDS, METRICS_COMPARED } from "./metrics-compare";
import { benchMetricsCost } from "./metrics-cost";
import { benchServingCost } from "./serving-cost";

process.env.SHOPIFY_API_KEY ??= "bench-api-key";
process.env.SHOPIFY_API_SECRET ??= "bench-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://affinity.bench";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
// The backfill bench's worker renews offline tokens through the Shopify library, which needs them.
process.env.SCOPES ??= "read_products,read_orders,read_all_orders,read_customers";

const BENCHMARKS: Record<string, (o: { quick: boolean; args: readonly string[] }) => Promise<BenchResult[]>> = {
  intake: benchIntake,
  serving: benchServing,
  // Issue 18: what one 50,000-product shop keeps in Redis, by MEMORY USAGE (under a minute).
  "redis-bytes": benchRedisBytes,
  events: benchEvents,
  training: benchTraining,
  block: benchBlock,
  // The churn model on the UCI shop beside its baselines (well under a minute).
  churn: benchChurn,
  // The whole UCI shop replayed, trained through the worker and asked through the App Proxy
  // (about 6 minutes; --quick: the demo slice; --retrain-days N: also retrain every N days while
  // replaying, 15 minutes at 90).
  live: benchLive,
  // The longest by far: 200,000 webhooks through four processes (about 5 minutes with --quick).
  scale: benchScale,
  // Issue 18: a shop grown from online-retail to 100k, 300k and 1M orders (--orders N for one
  // size), each trained within TRAIN_MAX_RSS_MB. Not in the default run: about 20 minutes.
  bigshop: benchBigShop,
  // Issue 18: the install backfill of a big shop from the Admin API stand-in's bulk JSONL
  // (--orders N, default 200,000; --db postgres|sqlite, default postgres). Not in the default run:
  // 200,000 orders are about five million order lines, several minutes here.
  backfill: benchBackfill,
  // Issue 20: what metrics cost the intake and serving paths, in instructions counted by
  // callgrind; the server runs under valgrind, so it takes minutes.
  "metrics-cost": benchMetricsCost,
  // Issue 19: instructions and heap bytes per App Proxy GET, counted by callgrind (a few minutes).
  "serving-cost": benchServingCost,
};

/** Benchmarks that run only when named (metrics-cost also with --metrics-compare): their length would swamp the default run. */
const ON_REQUEST = new Set(["bigshop", "backfill", "metrics-cost", "serving-cost"]);
/** Flags that take a value, which is not a benchmark name. */
const VALUE_FLAGS = new Set(["--orders", "--db", "--retrain-days"]);
/** Run once beside --metrics-compare's timed rounds, never inside them: it switches metrics itself. */
const MEASURES_METRICS_ITSELF = "metrics-cost";

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const compare = args.includes("--metrics-compare");
  // A flag's value (--orders 1000000) is not a benchmark name.
  const names = args.filter((a, i) => !a.startsWith("--") && !VALUE_FLAGS.has(args[i - 1] ?? ""));
  const selected = [
    ...(names.length > 0
      ? names
      : compare
        ? METRICS_COMPARED
        : Object.keys(BENCHMARKS).filter((n) => !ON_REQUEST.has(n))),
  ];
  const unknown = selected.filter((n) => !BENCHMARKS[n]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${Object.keys(BENCHMARKS).join(", ")}`);
    process.exit(2);
  }
  mkdirSync(BENCH_DB_DIR, { recursive: true });
  execFileSync("npx", ["tsx", "scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: `file:./${BENCH_DB_DIR}/template.db` },
    stdio: "ignore",
  });

  // --metrics-compare's timed figures are backed by the instruction counts, which load cannot move.
  if (compare && !selected.includes(MEASURES_METRICS_ITSELF)) selected.push(MEASURES_METRICS_ITSELF);
  const results: BenchResult[] = [];
  for (const name of selected) {
    const bench = () => BENCHMARKS[name]!({ quick, args });
    if (compare && name !== MEASURES_METRICS_ITSELF) {
      results.push(...(await compareMetrics(name, bench, quick ? COMPARE_ROUNDS.quick : COMPARE_ROUNDS.full)));
      continue;
    }
    process.stderr.write(`running ${name}${quick ? " (quick)" : ""}…\n`);
    results.push(...(await bench()));
  }
  console.table(
    results.map((r) => ({ id: r.id, value: r.value, unit: r.unit, reference: r.reference, ratio: r.ratio })),
  );
  for (const r of results) if (r.note) console.log(`${r.id}: ${r.note}`);
  mkdirSync("bench", { recursive: true });
  writeFileSync(
    "bench/results.json",
    JSON.stringify(
      {
        date: new Date().toISOString(),
        quick,
        metricsCompare: compare,
        machine: machine(),
        versions: versions(),
        results,
      },
      null,
      2,
    ) + "\n",
  );
  process.stderr.write("wrote bench/results.json\n");
  process.exit(0);
}

function versions() {
  const pkg = (name: string) => {
    try {
      return JSON.parse(
        execFileSync("node", ["-p", `JSON.stringify(require("${name}/package.json").version)`]).toString(),
      ) as string;
    } catch {
      return null;
    }
  };
  return {
    bullmq: pkg("bullmq"),
    ioredis: pkg("ioredis"),
    prisma: pkg("@prisma/client"),
    remix: pkg("@remix-run/node"),
  };
}

void main();
