/**
 * Which stored recommender to serve from: the run's own artifact, else the previous run's, else a
 * baseline (which needs no weights). An unusable artifact is logged and skipped, never thrown, so
 * a rebuild or a request never fails on a bad row in ModelRun.
 */
import { CorruptArtifactError, restoreRecommender } from "./artifact";
import type { BaselineName } from "./baselines";
import type { ShopData } from "./dataset";
import type { TrainedRecommender } from "./evaluate";
import { buildSnapshots } from "./snapshots";
import type { PersonalStrategy } from "./strategies";

export interface StoredRun {
  runId: string;
  artifact: Uint8Array | null | undefined;
}

export interface RestoredRecommender {
  model: TrainedRecommender;
  /** The run whose artifact is served, or null when the baseline is. */
  fromRun: string | null;
}

export function restoreWithFallback(
  runs: readonly StoredRun[],
  data: ShopData,
  /** What serves when no artifact restores: the run's best baseline, and each strategy's if recorded. */
  baseline: { overall: BaselineName; strategies?: Record<PersonalStrategy, BaselineName>; related?: BaselineName },
  log: (event: string, fields: Record<string, unknown>) => void,
): RestoredRecommender {
  for (const run of runs) {
    try {
      return { model: restoreRecommender(run.artifact, data), fromRun: run.runId };
    } catch (error) {
      // Anything that stops a restore (bad bytes, a layout from another version, a backend
      // error) means the same thing here: try the next run.
      const reason =
        error instanceof CorruptArtifactError ? error.message : `restore failed: ${(error as Error).message}`;
      log("model.artifact_unusable", { runId: run.runId, reason });
    }
  }
  log("model.serving_baseline", { baseline: baseline.overall, tried: runs.map((r) => r.runId) });
  const lastAt = data.orders[data.orders.length - 1]?.at ?? 0;
  return {
    model: {
      data,
      snapshots: buildSnapshots(data, lastAt),
      dnn: null,
      features: {},
      snapshotOptions: {},
      promoted: baseline.overall,
      ...(baseline.strategies ? { strategies: baseline.strategies } : {}),
      ...(baseline.related ? { related: baseline.related } : {}),
    },
    fromRun: null,
  };
}
