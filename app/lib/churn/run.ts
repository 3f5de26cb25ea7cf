/**
 * One churn run for a shop: horizon, time split, baselines, the networks (cross-fitted and
 * calibrated on the training window), promotion, then scores and segments for every customer as of now.
 * Pure apart from TensorFlow.js, so the worker, the bench and the tests all call it.
 */
import { fitBaselines, type BaselineName, type Scorer } from "./baselines";
import { crossFitChurnNet } from "./cross-fit";
import type { ChurnNetOptions } from "./dnn";
import { indexEvents, type ChurnEvent } from "./events";
import { featureRow, featuresAsOf, topCategories, type CustomerFeatures } from "./features";
import { horizonDays } from "./horizon";
import { followUpAtRisk, spendBySegment, type AtRiskFollowUp, type SpendBySegment } from "./insight-figures";
import { segmentSizes, type SegmentSizes } from "./segment-sizes";
import { lastOrderAt, timeSplit } from "./labels";
import { churnMetrics, type ChurnMetrics } from "./metrics";
import { choosePromotion, type ServedKind } from "./promote";
import { assignSegments, type Segment } from "./segments";
import { DEFAULT_CHURN_SETTINGS, type ChurnSettings } from "./settings";
import type { ChurnOrder } from "./types";

/** Below this many repeat customers in the training window the network would learn noise. */
export const MIN_REPEAT_CUSTOMERS = 50;
const MAX_CATEGORIES = 8;

export interface ChurnPredictionRow {
  customerId: string;
  risk: number;
  expectedNextAt: Date;
  segment: Segment;
  value: number;
}

export interface ChurnRunResult {
  horizonDays: number;
  metrics: { model: ChurnMetrics | null; recency: ChurnMetrics; rfm: ChurnMetrics };
  served: ServedKind;
  reason: string;
  trainSeconds: number;
  sizes: { train: number; evaluation: number; repeatCustomers: number };
  predictions: ChurnPredictionRow[];
  /** How the served scores' at-risk mark did on the evaluation split. */
  followUp: AtRiskFollowUp;
  /** What today's segments spent in each of the last months. */
  spend: SpendBySegment;
  /** How many customers each segment had at the end of each of those months. */
  segmentCounts: SegmentSizes;
}

function scoreAll(scorer: Scorer, features: readonly CustomerFeatures[]) {
  return features.map(scorer);
}

export function runChurn(
  orders: readonly ChurnOrder[],
  options: {
    settings?: ChurnSettings;
    net?: ChurnNetOptions;
    now?: number;
    /** Logged-in customers' storefront events (events.ts); absent: order history only. */
    events?: readonly ChurnEvent[];
  } = {},
): ChurnRunResult {
  const started = performance.now();
  const settings = options.settings ?? DEFAULT_CHURN_SETTINGS;
  const now = options.now ?? lastOrderAt(orders);
  const h = horizonDays(orders);
  const events = indexEvents(options.events ?? []);
  const { train, evaluation } = timeSplit(orders, h, now, events);
  // Distinct customers: the stacked snapshots list a customer once per snapshot.
  const repeatCustomers = new Set(train.features.filter((f) => f.frequency > 1).map((f) => f.customerId)).size;
  const baselines = fitBaselines(train.features, train.labels);
  const baselineMetrics = {
    recency: churnMetrics(scoreAll(baselines.recency, evaluation.features), evaluation.labels),
    rfm: churnMetrics(scoreAll(baselines.rfm, evaluation.features), evaluation.labels),
  };

  // Everyone's features as of now, computed once for the network and the baselines alike.
  const current = featuresAsOf(orders, now, h, events);
  let modelScorer: ((features: readonly CustomerFeatures[]) => number[]) | null = null;
  let modelEvaluationRisks: number[] = [];
  let modelMetrics: ChurnMetrics | null = null;
  let skip: string | undefined;
  if (train.features.length === 0) {
    skip = `the shop's history is shorter than two horizons (${2 * h} days), so there is nothing to learn from yet; serving the baseline`;
  } else if (repeatCustomers < MIN_REPEAT_CUSTOMERS) {
    skip = `only ${repeatCustomers} repeat customers (at least ${MIN_REPEAT_CUSTOMERS} needed to learn); serving the baseline`;
  } else {
    const categories = topCategories(train.features, MAX_CATEGORIES);
    // Calibrated on out-of-fold scores of the training rows (cross-fit.ts).
    const net = crossFitChurnNet(
      train.features.map((f) => featureRow(f, categories)),
      train.labels,
      train.features.map((f) => f.customerId),
      options.net,
    );
    try {
      const scores = (features: readonly CustomerFeatures[]) =>
        net.score(features.map((f) => featureRow(f, categories)));
      modelEvaluationRisks = scores(evaluation.features);
      modelMetrics = churnMetrics(modelEvaluationRisks, evaluation.labels);
      // Score "now" while the networks are alive; they are disposed right after.
      const currentScores = scores(current);
      modelScorer = () => currentScores;
    } finally {
      net.dispose();
    }
  }

  const promotion = choosePromotion(modelMetrics, baselineMetrics, skip);
  const risks =
    promotion.served === "model" && modelScorer
      ? modelScorer(current)
      : scoreAll(baselines[promotion.served as BaselineName], current);
  const segments = assignSegments(
    current.map((f, i) => ({ ...f, risk: risks[i]! })),
    h,
    settings,
  );
  const evaluationRisks =
    promotion.served === "model" && modelScorer
      ? modelEvaluationRisks
      : scoreAll(baselines[promotion.served as BaselineName], evaluation.features);
  return {
    followUp: followUpAtRisk(evaluation, evaluationRisks, h, settings.atRiskThreshold),
    spend: spendBySegment(orders, segments, now),
    segmentCounts: segmentSizes(orders, { now, horizonDays: h, settings, current: segments, pastRisk: baselines.rfm }),
    horizonDays: h,
    metrics: { model: modelMetrics, ...baselineMetrics },
    served: promotion.served,
    reason: promotion.reason,
    trainSeconds: (performance.now() - started) / 1000,
    sizes: { train: train.features.length, evaluation: evaluation.features.length, repeatCustomers },
    predictions: current.map((f, i) => ({
      customerId: f.customerId,
      risk: risks[i]!,
      expectedNextAt: new Date(f.expectedNextAt),
      segment: segments.get(f.customerId)!,
      value: f.monetary,
    })),
  };
}
