/**
 * `npm run bench -- live`: the live evaluation of issue 15 on the whole UCI shop (`--quick`: the
 * demo's 1,000-customer slice). Replays the shop without each customer's last order through the
 * real app and worker, trains through the worker, asks the App Proxy for every held-out customer
 * and strategy, and scores the answers (live-eval.ts). Beside each live figure: the best baseline
 * on the same baskets, and the offline evaluation of the same shop with the same baskets as targets
 * (a training run on the whole history, in a child process). `--retrain-days N` also retrains every
 * N days while replaying and reports each customer asked after the first retrain past their basket
 * (live-phases.ts, `live.retrained.*`). `--read-before` instead reads each list before its basket,
 * as production does, retraining every N days (30 without `--retrain-days`) and refreshing the
 * asking customers' lists between retrains (live-daily.ts, `live.before.*`).
 */
import path from "node:path";
import { Redis } from "ioredis";
import { indexShopData } from "../app/lib/model/dataset";
import { STRATEGY_SETTING } from "../app/lib/model/evaluate-lists";
import { evaluateBaselines } from "../app/lib/model/evaluate";
import { PERSONAL_STRATEGIES, type PersonalStrategy } from "../app/lib/model/strategies";
import type { BaselineName } from "../app/lib/model/baselines";
import type { ShopData } from "../app/lib/model/dataset";
import { baselineByCustomer, pairedRatioInterval, type RatioInterval } from "./live-intervals";
import type { Db } from "../app/lib/database/client.server";
import { DEMO_DATA_DIR, loadShopCsv, SLICE_FILES } from "../scripts/demo/slice-data";
import { stopStack } from "../test/helpers/stack";
import { assertFixedExperiment, startLiveStack } from "./live-stack";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { BENCH_DB_DIR, mean, result, type BenchResult } from "./lib";
import {
  historyOrders,
  holdOutLastOrders,
  LIVE_STRATEGIES,
  scoreLive,
  strategyNdcg,
  type HeldOut,
  type LiveScores,
  type LiveStrategy,
} from "./live-eval";
import { runLivePhases, type LivePhase, type PhasedContext } from "./live-phases";
import { runLiveDaily, type LiveStep } from "./live-daily";
import { modelServedRows } from "./live-model-served";
import { toldRows } from "./live-told";
import { trainInChild, type ChildReport } from "./training";

const SHOP = "bench-live.myshopify.com";

/** What a run's metrics record of the ranker each list was served from. */
interface RecordedRankers {
  strategies: Record<PersonalStrategy, { served: string }>;
  related: { served: string };
  firstVisit: { served: string };
}

function dataFiles(quick: boolean) {
  return quick
    ? { orders: path.join(DEMO_DATA_DIR, SLICE_FILES.orders), products: path.join(DEMO_DATA_DIR, SLICE_FILES.products) }
    : {
        orders: path.resolve("../shared/data/online-retail.csv.gz"),
        products: path.resolve("../shared/data/online-retail-products.csv.gz"),
      };
}

/**
 * `--retrain-days N`: retrain every N days while replaying and also report each customer asked
 * right after the first retrain past their basket (`live.retrained.*`). Null: one training.
 */
export function retrainDaysOf(args: readonly string[]): number | null {
  const at = args.indexOf("--retrain-days");
  if (at < 0) return null;
  const days = Number(args[at + 1]);
  if (!Number.isFinite(days) || days <= 0)
    throw new Error(`--retrain-days takes a positive number of days (got ${args[at + 1] ?? "nothing"})`);
  return days;
}

/** The retrains between lists read before their baskets, when `--read-before` is given. */
const READ_BEFORE_RETRAIN_DAYS = 30;

/** How the bench replays: one training, retrains with lists read after the basket, or read before it. */
type LiveDesign = { kind: "one training" } | { kind: "after" | "before"; retrainDays: number };

export function liveDesignOf(args: readonly string[]): LiveDesign {
  const retrainDays = retrainDaysOf(args);
  if (args.includes("--read-before")) return { kind: "before", retrainDays: retrainDays ?? READ_BEFORE_RETRAIN_DAYS };
  return retrainDays === null ? { kind: "one training" } : { kind: "after", retrainDays };
}

/** Replays and asks as the design says; every design ends with one training on the whole replay. */
async function askByDesign(ctx: PhasedContext, held: HeldOut, design: LiveDesign) {
  if (design.kind === "before") {
    const daily = await runLiveDaily({ ...ctx, onStep: showStep }, held, design.retrainDays);
    return { atEnd: daily.atEnd, runs: daily.runs, extra: daily.before };
  }
  const phased = await runLivePhases(ctx, held, design.kind === "after" ? design.retrainDays : Infinity);
  return { atEnd: phased.atEnd, runs: phased.runs, extra: phased.phased };
}

export async function benchLive({ quick, args }: { quick: boolean; args: readonly string[] }): Promise<BenchResult[]> {
  const design = liveDesignOf(args);
  const files = dataFiles(quick);
  const data = loadShopCsv(files.orders, files.products);
  const held = holdOutLastOrders(data);
  const secret = process.env.SHOPIFY_API_SECRET!;
  const testDb = createSqliteTestDb(BENCH_DB_DIR);
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const { app, worker, origin } = await startLiveStack(testDb, prefix, SHOP);
  try {
    const logs = { app: "the app's output", worker: "the worker's output" };
    const ctx = { db: testDb.db, redis, prefix, shop: SHOP, origin, secret, logs, onPhase: showPhase };
    const answers = await askByDesign(ctx, held, design);
    const target = { origin, shop: SHOP, secret, db: testDb.db };
    // The figures: every list asked for after the last training, as one training serves them.
    const live = await scoreLive(target, held, answers.atEnd);
    await assertFixedExperiment(testDb.db, SHOP);
    const last = answers.runs.at(-1)!.runId;
    const run = await testDb.db.modelRun.findUniqueOrThrow({ where: { id: last } });
    const recorded = JSON.parse(run.metrics) as RecordedRankers;
    const rankers = { ...recorded.strategies, related: recorded.related, first_visit: recorded.firstVisit };
    // Offline on the same baskets: the customers scored live (the treatment arm), not every case;
    // for first visits, the newcomers' orders alone.
    const newcomers = new Set([...held.firstVisits.keys()].filter((c) => live.scored.has(c)));
    const offline = trainInChild(files, live.scored, newcomers).metrics;
    // The reference is scored on the customers the live figure is: the treatment arm's baskets.
    const indexed = indexShopData(historyOrders(data.orders), []);
    const baselines = evaluateBaselines(
      indexed,
      10,
      {},
      (c) => live.scored.has(c),
      (c) => newcomers.has(c),
    );
    const references = referencesByCustomer(live.scored, baselines, indexed);
    const intervals = ratioIntervals(live, references);
    const rows = [...report(live, offline, rankers, baselines, intervals), ...toldRows(live, baselines, run.metrics)];
    if (design.kind === "one training") return rows;
    const retrained = await scoreLive(target, held, answers.extra);
    const byRun = await rankersByRun(testDb.db, answers.runs);
    const byRetrain = phaseRankers(byRun);
    const phased = retrainedRows({ retrained, live, offline, baselines, rankers, byRetrain, design });
    if (design.kind !== "before") return [...rows, ...phased];
    const rankerOf = (runId: string, strategy: PersonalStrategy) => byRun.get(runId)?.[strategy] ?? "none";
    return [...rows, ...phased, ...modelServedRows({ before: retrained, atEnd: live, rankerOf, references })];
  } finally {
    await stopStack({ app, worker, redis, db: testDb, cleanup });
  }
}

type Baselines = ReturnType<typeof evaluateBaselines>;

/** The best baseline on the same baskets; with no history every baseline ranks by popularity. */
function referenceOf(baselines: Baselines, strategy: LiveStrategy): [string, number] {
  if (strategy === "first_visit") return ["popularity", baselines.popularity.firstVisit?.ndcg ?? 0];
  return Object.entries(baselines)
    .map(([name, m]): [string, number] =>
      strategy === "related" ? [name, m.related?.ndcg ?? 0] : [name, m[STRATEGY_SETTING[strategy]].ndcg],
    )
    .sort((a, b) => b[1] - a[1])[0]!;
}

type References = Record<PersonalStrategy, { name: string; byCustomer: Map<string, number> }>;

/**
 * Per personal strategy, the best baseline's NDCG@10 for each scored customer. It must average to
 * the figure evaluateBaselines gave, or a ratio built on it would be of another figure: the bench
 * stops if not.
 */
function referencesByCustomer(scored: ReadonlySet<string>, baselines: Baselines, data: ShopData): References {
  const out = {} as References;
  for (const strategy of PERSONAL_STRATEGIES) {
    const [name, figure] = referenceOf(baselines, strategy);
    const setting = STRATEGY_SETTING[strategy];
    const byCustomer = baselineByCustomer(data, name as BaselineName, setting, (c) => scored.has(c));
    const average = mean(byCustomer.values());
    if (Math.abs(average - figure) > 1e-9)
      throw new Error(
        `the ${name} baseline per customer (${average}) is not its evaluated ${strategy} figure (${figure})`,
      );
    out[strategy] = { name, byCustomer };
  }
  return out;
}

/** Per personal strategy, the live ratio to its reference with a paired bootstrap interval over the scored customers (live-intervals.ts). */
function ratioIntervals(live: LiveScores, references: References): Record<string, RatioInterval> {
  return Object.fromEntries(
    PERSONAL_STRATEGIES.map((s) => [s, pairedRatioInterval(live.byCustomer[s], references[s].byCustomer)]),
  );
}

/** Per run, the ranker that served each list, from the run's record. */
async function rankersByRun(
  db: Db,
  runs: ReadonlyArray<{ runId: string }>,
): Promise<Map<string, Record<LiveStrategy, string>>> {
  const out = new Map<string, Record<LiveStrategy, string>>();
  for (const { runId } of runs) {
    const run = await db.modelRun.findUniqueOrThrow({ where: { id: runId } });
    const m = JSON.parse(run.metrics) as Partial<RecordedRankers>;
    const rankerOf = (s: LiveStrategy) => {
      const ranker = s === "related" ? m.related : s === "first_visit" ? m.firstVisit : m.strategies?.[s];
      return ranker?.served ?? run.served ?? "none";
    };
    out.set(runId, Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, rankerOf(s)])) as Record<LiveStrategy, string>);
  }
  return out;
}

/** Per strategy, the ranker each retrain's run served it with, in order ("repeat → model → model"). */
function phaseRankers(byRun: Map<string, Record<LiveStrategy, string>>): Record<LiveStrategy, string> {
  const each = [...byRun.values()];
  return Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, each.map((r) => r[s]).join(" → ")])) as Record<
    LiveStrategy,
    string
  >;
}

function showStep(step: LiveStep, index: number, of: number) {
  // One line every tenth of the way: a full run has about 500 steps.
  if (index % Math.max(1, Math.floor(of / 10)) !== 0 && index !== of - 1) return;
  const asked = step.asks.customers.length + step.asks.firstVisits.length;
  process.stdout.write(`  lists read before the basket: step ${index + 1} of ${of} (${step.until}, ${asked} asked)\n`);
}

function showPhase(phase: LivePhase, index: number, of: number) {
  const until = phase.until === null ? "the whole replay" : `orders before ${phase.until}`;
  const firstVisits = phase.asks.firstVisits.length > 0 ? " and the first visits" : "";
  process.stdout.write(
    `  retrain ${index + 1} of ${of} (${until}) serves: ${phase.asks.customers.length} held-out customers${firstVisits} ask\n`,
  );
}

const IDS: Record<LiveStrategy, string> = {
  for_you: "live.all.ndcg10",
  buy_again: "live.buy_again.ndcg10",
  new_for_you: "live.new.ndcg10",
  related: "live.related.ndcg10",
  first_visit: "live.first_visit.ndcg10",
};

/** The bench ids the issue names, one row per strategy, with the same baskets' references. */
function report(
  live: LiveScores,
  offline: ChildReport["metrics"],
  rankers: Record<LiveStrategy, { served: string }>,
  baselines: Baselines,
  intervals: Record<string, RatioInterval>,
): BenchResult[] {
  const rows: BenchResult[] = [];
  for (const strategy of LIVE_STRATEGIES) {
    const m = live.metrics[strategy];
    const [name, baseline] = referenceOf(baselines, strategy);
    const servedBy = Object.entries(m.served)
      .map(([s, n]) => `${s} ${n}`)
      .join(", ");
    const ranker = rankers[strategy].served;
    const interval = intervals[strategy];
    const sure = interval
      ? `; ratio ${interval.ratio.toFixed(3)}, 95 % paired bootstrap interval over the ${interval.customers} ` +
        `customers ${interval.low.toFixed(3)}–${interval.high.toFixed(3)}`
      : "";
    const note =
      `${m.cases} customers scored (answers served as: ${servedBy}); lists from the run's ${ranker} ranker; ` +
      `reference: the ${name} baseline on the same baskets${sure}`;
    rows.push(result(IDS[strategy], m.ndcg, "ndcg", baseline, note));
    // Offline, the same ranker's list for this strategy, on the same baskets.
    const off = strategyNdcg(ranker === "model" ? offline.model : offline.baselines[ranker], strategy);
    if (off) {
      rows.push(
        result(
          `live.offline_gap.${strategy}`,
          Math.abs(m.ndcg - off) / off,
          "share",
          null,
          `offline NDCG@10 of the ${ranker} list ${off.toFixed(4)} (evaluation protocol, same baskets); live ${m.ndcg.toFixed(4)}`,
        ),
      );
    }
  }
  rows.push(
    result("live.control_customers", live.control, "customers", null, "in the holdout's control arm: not scored"),
  );
  return rows;
}

/**
 * With `--retrain-days`: each held-out customer asked right after the first retrain past their
 * basket, so lists are read at most that many days after it instead of up to a year (ADR 005,
 * "Retraining while replaying"). Such a list also sees other shoppers' orders placed after the
 * basket, which the offline protocol never does: these rows explain the issue's figures, they do
 * not replace them. With `--read-before`: each list read before its basket, as production reads it
 * (ADR 005, "Lists read before the basket"), with its gap to the offline figure.
 */
function retrainedRows(r: {
  retrained: LiveScores;
  live: LiveScores;
  offline: ChildReport["metrics"];
  baselines: Baselines;
  /** The last retrain's rankers: the run the offline figure is that of. */
  rankers: Record<LiveStrategy, { served: string }>;
  byRetrain: Record<LiveStrategy, string>;
  design: Exclude<LiveDesign, { kind: "one training" }>;
}): BenchResult[] {
  const before = r.design.kind === "before";
  // Lists read after the basket ask first visits only at the end: their figure is the single training's.
  const strategies = before ? LIVE_STRATEGIES : LIVE_STRATEGIES.filter((s) => s !== "first_visit");
  const asked = before
    ? `read before their basket (at its day's start, or just after the shopper's own order that day; a retrain every ${r.design.retrainDays} days, refreshes between)`
    : `asked after the first retrain past their basket (every ${r.design.retrainDays} days back from the end)`;
  return strategies.flatMap((strategy) => {
    const m = r.retrained.metrics[strategy];
    const [name, baseline] = referenceOf(r.baselines, strategy);
    const ranker = r.rankers[strategy].served;
    const off = strategyNdcg(ranker === "model" ? r.offline.model : r.offline.baselines[ranker], strategy);
    const note =
      `${m.cases} customers, ${asked}; rankers by retrain: ${r.byRetrain[strategy]}; one training: ` +
      `${r.live.metrics[strategy].ndcg.toFixed(4)}; offline ${off?.toFixed(4) ?? "not measured"}; ` +
      `reference: the ${name} baseline on the same baskets`;
    const id = before ? "live.before" : "live.retrained";
    const row = result(`${id}.${strategy}.ndcg10`, m.ndcg, "ndcg", baseline, note);
    if (!before || !off) return [row];
    const gap = Math.abs(m.ndcg - off) / off;
    return [
      row,
      result(
        `${id}.offline_gap.${strategy}`,
        gap,
        "share",
        null,
        `offline ${off.toFixed(4)}; live ${m.ndcg.toFixed(4)}`,
      ),
    ];
  });
}
