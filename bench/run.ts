/**
 * `npm run bench [-- <name>…] [-- --quick]`: runs the benchmarks, prints one table and writes
 * bench/results.json. Every figure is measured beside its reference in the same run, because
 * these machines are shared and noisy: a ratio holds where an absolute time does not.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { benchBlock } from "./block";
import { benchChurn } from "./churn";
import { benchEvents } from "./events";
import { benchIntake } from "./intake";
import { benchLive } from "./live";
import { benchScale } from "./scale";
import { benchServing } from "./serving";
import { benchTraining } from "./training";
import { BENCH_DB_DIR, machine, type BenchResult } from "./lib";

process.env.SHOPIFY_API_KEY ??= "bench-api-key";
process.env.SHOPIFY_API_SECRET ??= "bench-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://affinity.bench";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";

const BENCHMARKS: Record<string, (o: { quick: boolean }) => Promise<BenchResult[]>> = {
  intake: benchIntake,
  serving: benchServing,
  events: benchEvents,
  training: benchTraining,
  block: benchBlock,
  // The churn model on the UCI shop beside its baselines (well under a minute).
  churn: benchChurn,
  // The whole UCI shop replayed, trained through the worker and asked through the App Proxy
  // (about 6 minutes; --quick: the demo slice).
  live: benchLive,
  // The longest by far: 200,000 webhooks through four processes (about 5 minutes with --quick).
  scale: benchScale,
};

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const names = args.filter((a) => !a.startsWith("--"));
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
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

  const results: BenchResult[] = [];
  for (const name of selected) {
    process.stderr.write(`running ${name}${quick ? " (quick)" : ""}…\n`);
    results.push(...(await BENCHMARKS[name]!({ quick })));
  }
  console.table(
    results.map((r) => ({ id: r.id, value: r.value, unit: r.unit, reference: r.reference, ratio: r.ratio })),
  );
  for (const r of results) if (r.note) console.log(`${r.id}: ${r.note}`);
  mkdirSync("bench", { recursive: true });
  writeFileSync(
    "bench/results.json",
    JSON.stringify(
      { date: new Date().toISOString(), quick, machine: machine(), versions: versions(), results },
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
