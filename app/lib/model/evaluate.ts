/**
 * One call per training run: split, baselines, rolling-origin DNN training and evaluation,
 * promotion. DB-free; the job layer passes a shop's orders in and stores what comes out.
 *
 * Leakage: the README lets a customer's ranking use only orders before their last order. The
 * baselines honour that per customer (sweep.ts). One network cannot be retrained per
 * customer, so it is trained in stages (rolling origin): stage b learns from examples whose
 * target order is before t_b, and ranks the customers whose cutoff lies in [t_b, t_b+1).
 * Each stage continues from the previous weights, so the whole schedule costs little more
 * than one training; the served model then takes a last pass over everything.
 */
import { activeTfBackend } from "../tf/backend.server";
import { BASELINE_NAMES, baselineScores, type BaselineName } from "./baselines";
import { indexShopData, type HistoryView, type ShopData } from "./dataset";
import type { DnnOptions, EpochProgress } from "./dnn";
import { RecommenderEnsemble } from "./ensemble";
import { MetricsAccumulator, type SettingMetrics } from "./evaluate-lists";
import { buildExamples, type TimedExample } from "./examples";
import type { FeatureOptions } from "./features";
import {
  decidePromotion,
  decideStrategies,
  type Contender,
  type PromotionRule,
  type StrategyDecision,
} from "./promote";
import { buildSnapshots, type ShopSnapshots, type SnapshotOptions } from "./snapshots";
import { lastOrderGaps, STALE_READS, staleReadMoments, type StaleReads } from "./stale-reads";
import { buildTimeSplit } from "./split";
import { sweepCases } from "./sweep";
import type { MixRule, PersonalStrategy } from "./strategies";
import { RelatedBaselines } from "./related-eval";
import { evaluateBestSellerLists, type BestSellersMetrics } from "./best-sellers";
import { evaluateFirstVisitPopularity, firstVisitCases } from "./first-visit-eval";
import { decideLists, NetworkListEvaluations } from "./list-evaluations";
import { ValidationAccumulator, validationRows, type ValidationMetrics } from "./validation";
import type { CatalogItem, HistoryOrder } from "./types";

export interface TrainAndEvaluateOptions {
  /** @defaultValue 10 */
  k?: number;
  /** Below this many orders no network is trained. @defaultValue 20 */
  minOrders?: number;
  /** Below this many training examples no network is trained. @defaultValue 10 */
  minExamples?: number;
  /**
   * Epochs of the first stage. It sees only the orders before the first boundary (≈ 5k rows, 20
   * batches, on the real shop), so 3 epochs left the network mid-way from its initial blend and
   * worse than it (NDCG@10 0.285 vs 0.300 on the next stage's customers). 12 was best of 3–16 on
   * the validation rows (intermediate orders, never the evaluated last ones; ADR 005).
   * @defaultValue 12
   */
  epochs?: number;
  /** Epochs of every later stage and of the final pass. @defaultValue 1 */
  epochsPerStage?: number;
  /**
   * Epochs of the served network's last pass over every row, after the evaluation (experiments
   * only; ADR 005). @defaultValue epochsPerStage
   */
  finalEpochs?: number;
  /**
   * Stage boundaries as quantiles of the evaluation cutoffs. Cases before the first one are
   * ranked by the untrained network (its initial blend). Many stages are cheap with the
   * candidate network and keep each evaluated customer close to a model trained just before them.
   * @defaultValue [0.1, 0.2, …, 0.9]
   */
  stageQuantiles?: number[];
  /**
   * Training rows are weighted by (rows of their customer)^−power: 0 weighs every order the same,
   * 1 every customer the same. @defaultValue 0.5
   */
  customerWeightPower?: number;
  /**
   * Storefront product views of logged-in shoppers, by customerId: weaker history than
   * purchases, read strictly before each example's moment like everything else.
   */
  views?: ReadonlyMap<string, readonly HistoryView[]>;
  dnn?: DnnOptions;
  /**
   * Networks trained from seeds dnn.seed, dnn.seed + 1, … and averaged. Two: each of three seed
   * pairs beat both its members (NDCG@10 all 0.2987 / 0.3011 / 0.2992 against 0.2967–0.2980
   * alone; on the validation rows +0.0008 on average, one pair level with its better member)
   * for twice the training time (ADR 005). @defaultValue 2
   */
  ensemble?: number;
  features?: FeatureOptions;
  /**
   * Read a share of the training rows' shopper history later than their basket, as the stored
   * lists read it (stale-reads.ts, ADR 005 "The live gap"); drawn from dnn.seed. Evaluation rows
   * are never stale; null turns it off. @defaultValue STALE_READS (half the rows, shop clock at the basket)
   */
  staleReads?: StaleReads | null;
  snapshots?: SnapshotOptions;
  /** How for_you mixes buying again and discovery (strategies.ts). */
  mix?: MixRule;
  /**
   * Only these customers' cases are scored, for the model and the baselines alike (every order
   * still trains and counts as history), so promotion is decided on them too. The live bench
   * passes the customers it scored through the App Proxy (the holdout's treatment arm), so its
   * offline figure is on the same baskets. @defaultValue every case
   */
  scoredCustomers?: ReadonlySet<string>;
  /**
   * Only these customers' first orders are scored for the first-visit list. The live bench holds
   * out newcomers whole and asks for them as first visits; its repeat customers' first orders are
   * not the baskets it scored live. @defaultValue scoredCustomers
   */
  firstVisitCustomers?: ReadonlySet<string>;
  promotion?: PromotionRule;
  /**
   * Also rank the intermediate orders with the stage networks (validation.ts): what settings are
   * chosen on, so that the evaluated last orders only measure. Costs ~4 s on the real shop.
   * @defaultValue false
   */
  validate?: boolean;
  onEpoch?: (progress: EpochProgress) => void;
}

export interface MetricsRow {
  all: { hr: number; recall: number; ndcg: number };
  new: { hr: number; recall: number; ndcg: number };
  coverage: number;
  /** Each personal strategy's served list, scored in its own setting (evaluate-lists.ts). */
  strategies: SettingMetrics["strategies"];
  /** The related list of a basket's first product against the rest of it (related-eval.ts). */
  related?: SettingMetrics["related"];
  /** The list for a shopper with no history against first orders (first-visit-eval.ts). */
  firstVisit?: SettingMetrics["firstVisit"];
}

/** Everything serving needs, whichever ranker won. */
export interface TrainedRecommender {
  data: ShopData;
  /** Counts/vectors as of the end of the history. */
  snapshots: ShopSnapshots;
  dnn: RecommenderEnsemble | null;
  features: FeatureOptions;
  /** How the snapshots were built (kept so a stored artifact rebuilds the same ones). */
  snapshotOptions: SnapshotOptions;
  /** The ranker behind the related lists and the empty-basket list (and the admin's headline). */
  promoted: Contender;
  /** The ranker behind each personal strategy's lists, decided per strategy; absent: `promoted`. */
  strategies?: Record<PersonalStrategy, Contender>;
  /** The ranker behind the related lists (related and complete-the-cart), decided on their own evaluation. */
  related?: Contender;
  /** The ranker behind the list for a shopper with no history ("popular"), decided on first orders. */
  firstVisit?: Contender;
  /** How for_you mixes (strategies.ts); absent: the defaults. */
  mix?: MixRule;
}

export interface TrainAndEvaluateResult {
  model: TrainedRecommender;
  metrics: {
    model: MetricsRow | null;
    baselines: Record<BaselineName, MetricsRow>;
    /** The 90-day best sellers (the holdout's control arm, when it is shown them) on last and first orders. */
    bestSellers: BestSellersMetrics;
    /** Only when options.validate. */
    validation?: ValidationMetrics;
  };
  promoted: Contender;
  reason: string;
  /** Which ranker serves each personal strategy, and why. */
  strategies: Record<PersonalStrategy, StrategyDecision>;
  /** Which ranker serves the related lists, and why. */
  related: StrategyDecision;
  /** Which ranker serves the list for a shopper with no history, and why. */
  firstVisit: StrategyDecision;
  sizes: { examples: number; customers: number; items: number; evalCases: number; orders: number };
  timings: { totalMs: number; baselinesMs: number; featuresMs: number; trainMs: number; evaluateMs: number };
}

function servedByStrategy(decisions: Record<PersonalStrategy, StrategyDecision>): Record<PersonalStrategy, Contender> {
  return {
    for_you: decisions.for_you.served,
    buy_again: decisions.buy_again.served,
    new_for_you: decisions.new_for_you.served,
  };
}

/**
 * Evaluation counts each customer once (their last order); training has one row per repeat
 * order, so a customer with 100 orders would outweigh 50 customers with three. Weighting rows by
 * rowsOfCustomer^−power moves training towards the customer mix it is judged on.
 */
function weightByCustomer(examples: TimedExample[], power: number): void {
  const rows = new Map<number, number>();
  for (const e of examples) rows.set(e.customer, (rows.get(e.customer) ?? 0) + 1);
  for (const e of examples) e.weight = rows.get(e.customer)! ** -power;
}

function hasTargetCandidate(e: TimedExample): boolean {
  const targets = new Set(Array.from(e.targets));
  return e.row.featureIndex.some((item) => targets.has(item));
}

const row = (m: SettingMetrics): MetricsRow => ({
  all: m.all,
  new: m.new,
  coverage: m.coverage,
  strategies: m.strategies,
  ...(m.related ? { related: m.related } : {}),
  ...(m.firstVisit ? { firstVisit: m.firstVisit } : {}),
});

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? 0;
}

export function evaluateBaselines(
  data: ShopData,
  k: number,
  mix: MixRule = {},
  /** Only these customers' cases are scored (others still count as history). @defaultValue all */
  only?: (customerId: string) => boolean,
  /** Only these customers' first orders are scored for first visits. @defaultValue only */
  onlyFirst = only,
): Record<BaselineName, SettingMetrics> {
  const cases = buildTimeSplit(data).filter((c) => !only || only(data.customerIds[c.customer]!));
  const acc = Object.fromEntries(
    BASELINE_NAMES.map((n) => [n, new MetricsAccumulator(k, data.productIds.length, mix)]),
  );
  const related = new RelatedBaselines(k);
  sweepCases(data, cases, (ctx) => {
    for (const name of BASELINE_NAMES) {
      const { scores, tiebreak } = baselineScores(name, ctx);
      acc[name]!.add(scores, tiebreak, ctx.evalCase.targets, ctx.past, ctx.share);
    }
    related.add(ctx);
  });
  const relatedMetrics = related.result();
  // With no history every baseline ranks by popularity: it alone carries the first-visit figure.
  const firstVisit = evaluateFirstVisitPopularity(data, firstVisitCases(data, onlyFirst), k);
  return Object.fromEntries(
    BASELINE_NAMES.map((n) => [
      n,
      { ...acc[n]!.result(), related: relatedMetrics[n], ...(n === "popularity" ? { firstVisit } : {}) },
    ]),
  ) as Record<BaselineName, SettingMetrics>;
}

export async function trainAndEvaluate(
  orders: readonly HistoryOrder[],
  catalog: readonly CatalogItem[],
  options: TrainAndEvaluateOptions = {},
): Promise<TrainAndEvaluateResult> {
  const started = performance.now();
  const { k = 10, minOrders = 20, minExamples = 10, epochs = 12, epochsPerStage = 1 } = options;
  const stageQuantiles = options.stageQuantiles ?? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const data = indexShopData(orders, catalog, options.views);
  const cases = buildTimeSplit(data);
  const numItems = data.productIds.length;

  const scored = options.scoredCustomers;
  const only = scored ? (customerId: string) => scored.has(customerId) : undefined;
  const firstVisitors = options.firstVisitCustomers;
  const onlyFirst = firstVisitors ? (customerId: string) => firstVisitors.has(customerId) : only;
  const baselineMetrics = evaluateBaselines(data, k, options.mix, only, onlyFirst);
  const scoredCases = only ? cases.filter((c) => only(data.customerIds[c.customer]!)) : cases;
  const bestSellers = evaluateBestSellerLists(data, k, scoredCases, firstVisitCases(data, onlyFirst));
  const baselinesMs = performance.now() - started;
  const lastAt = data.orders[data.orders.length - 1]?.at ?? 0;
  const snapshots = buildSnapshots(data, lastAt, options.snapshots);
  const stale = options.staleReads === undefined ? STALE_READS : options.staleReads;
  const readMoment = stale ? staleReadMoments(stale, lastOrderGaps(data), options.dnn?.seed ?? 1) : undefined;
  const examples = buildExamples(data, cases, snapshots, options.features, readMoment);
  const featuresMs = performance.now() - started - baselinesMs;
  // A row teaches something only when its customer has a past and the target is among its candidates.
  const training = examples.filter((e) => e.row.pastCount + e.row.viewedCount > 0 && hasTargetCandidate(e));
  weightByCustomer(training, options.customerWeightPower ?? 0.5);
  const sizes = {
    examples: training.length,
    customers: data.customerIds.length,
    items: numItems,
    evalCases: cases.length,
    orders: data.orders.length,
  };
  const base = {
    data,
    snapshots,
    features: options.features ?? {},
    snapshotOptions: options.snapshots ?? {},
    ...(options.mix ? { mix: options.mix } : {}),
  };
  const baselines = Object.fromEntries(BASELINE_NAMES.map((n) => [n, row(baselineMetrics[n])])) as Record<
    BaselineName,
    MetricsRow
  >;

  const tooLittle =
    data.orders.length < minOrders
      ? `only ${data.orders.length} orders (< ${minOrders})`
      : training.length < minExamples || cases.length === 0
        ? `only ${training.length} training examples and ${cases.length} evaluation customers`
        : null;
  if (tooLittle) {
    const decision = decidePromotion(null, baselineMetrics, options.promotion, `not trained: ${tooLittle}`);
    const strategies = decideStrategies(null, baselineMetrics, options.promotion);
    const lists = decideLists(null, baselineMetrics, options.promotion);
    return {
      model: {
        ...base,
        dnn: null,
        promoted: decision.promoted,
        strategies: servedByStrategy(strategies),
        related: lists.related.served,
        firstVisit: lists.firstVisit.served,
      },
      strategies,
      ...lists,
      metrics: { model: null, baselines, bestSellers },
      ...decision,
      sizes,
      timings: { totalMs: performance.now() - started, baselinesMs, featuresMs, trainMs: 0, evaluateMs: 0 },
    };
  }
  if (!activeTfBackend()) throw new Error("call initTfBackend() before trainAndEvaluate");

  const dnn = RecommenderEnsemble.create(numItems, options.ensemble ?? 2, options.dnn);
  try {
    const evalRows = examples.filter((e) => e.evalCase);
    const cutoffs = evalRows.map((e) => e.at).sort((a, b) => a - b);
    const boundaries = [...new Set(stageQuantiles.map((q) => quantile(cutoffs, q)))].sort((a, b) => a - b);
    const totalEpochs = epochs + epochsPerStage * boundaries.length;
    const scores = new Map<TimedExample, Float32Array>();
    let epochOffset = 0;
    let trainMs = 0;
    let evaluateMs = 0;
    const checkRows = options.validate ? validationRows(examples) : [];
    const validation = new ValidationAccumulator(k, checkRows);
    const listEvals = new NetworkListEvaluations(data, snapshots, options.features ?? {}, k, onlyFirst);
    const scoreRange = (from: number, to: number) => {
      const t = performance.now();
      const rows = evalRows.filter((e) => e.at >= from && e.at < to);
      dnn.score(rows.map((e) => e.row)).forEach((s, i) => scores.set(rows[i]!, s));
      const scoredCases = rows.flatMap((e) =>
        e.evalCase && (!only || only(data.customerIds[e.customer]!)) ? [e.evalCase] : [],
      );
      listEvals.scoreRange(dnn, scoredCases, from, to);
      const check = checkRows.filter((e) => e.at >= from && e.at < to);
      // In slices: a catalog-wide score array per row adds up over thousands of rows.
      for (let i = 0; i < check.length; i += 512) {
        const slice = check.slice(i, i + 512);
        dnn.score(slice.map((e) => e.row)).forEach((s, j) => validation.add(slice[j]!, s));
      }
      evaluateMs += performance.now() - t;
    };
    const train = (before: number, n: number) => {
      const t = performance.now();
      dnn.fit(
        training.filter((e) => e.at < before),
        n,
        { epochOffset, totalEpochs, onEpoch: options.onEpoch },
      );
      epochOffset += n;
      trainMs += performance.now() - t;
    };
    scoreRange(-Infinity, boundaries[0] ?? Infinity);
    boundaries.forEach((boundary, b) => {
      train(boundary, b === 0 ? epochs : epochsPerStage);
      scoreRange(boundary, boundaries[b + 1] ?? Infinity);
    });

    const t = performance.now();
    const modelAcc = new MetricsAccumulator(k, numItems, options.mix);
    const byOrder = new Map(evalRows.map((e) => [e.evalCase!.targetOrder, e]));
    sweepCases(data, scoredCases, (ctx) => {
      const example = byOrder.get(ctx.evalCase.targetOrder);
      const s = example ? scores.get(example) : undefined;
      if (!s) throw new Error(`no model scores for customer ${ctx.evalCase.customer}`);
      modelAcc.add(s, ctx.counts.itemOrders, ctx.evalCase.targets, ctx.past, ctx.share);
    });
    const modelMetrics = { ...modelAcc.result(), ...listEvals.result() };
    evaluateMs += performance.now() - t;

    const decision = decidePromotion(modelMetrics, baselineMetrics, options.promotion);
    const strategies = decideStrategies(modelMetrics, baselineMetrics, options.promotion);
    const lists = decideLists(modelMetrics, baselineMetrics, options.promotion);
    const served = servedByStrategy(strategies);
    const keep =
      decision.promoted === "model" ||
      Object.values(served).includes("model") ||
      Object.values(lists).some((d) => d.served === "model");
    // The served network also learns from the most recent orders the evaluation held out.
    if (keep) train(Infinity, options.finalEpochs ?? epochsPerStage);
    else dnn.dispose();
    return {
      model: {
        ...base,
        dnn: keep ? dnn : null,
        promoted: decision.promoted,
        strategies: served,
        related: lists.related.served,
        firstVisit: lists.firstVisit.served,
      },
      strategies,
      ...lists,
      metrics: {
        model: row(modelMetrics),
        baselines,
        bestSellers,
        ...(options.validate ? { validation: validation.result() } : {}),
      },
      ...decision,
      sizes,
      timings: { totalMs: performance.now() - started, baselinesMs, featuresMs, trainMs, evaluateMs },
    };
  } catch (err) {
    dnn.dispose();
    throw err;
  }
}
