import type { RedisClient } from "../redis.server";
import { resetTrainingCounter, setServedRuns } from "../shops/training-state.server";
import { requireShop } from "../shops/registry.server";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { TrainingDivergedError } from "../model/errors";
import type { EpochProgress } from "../model/dnn";
import { serializeRecommender } from "../model/artifact";
import { trainAndEvaluate, type TrainAndEvaluateOptions } from "../model/evaluate";
import { activateRun, writeRunLists } from "../storefront-store/run-lists.server";
import { DEFAULT_TRAIN_BUDGET_MB, describeWindow } from "../model/window";
import { loadTrainingInput } from "./shop-history.server";
import { runListsFor } from "./build-lists";
import type { TrainTrigger } from "./train-queue.server";

export interface RunTrainingDeps {
  db: Db;
  redis: RedisClient;
  /** The Redis key prefix the serving lists live under (QUEUE_PREFIX). */
  prefix: string;
  log: Logger;
  backend: string;
  options?: TrainAndEvaluateOptions;
  /** TRAIN_MAX_RSS_MB: the history a run loads is cut to fit it (model/window.ts). */
  budgetMb?: number;
  onProgress?: (progress: EpochProgress & { stage: "training" }) => void;
}

export interface RunOutcome {
  runId: string;
  status: "completed" | "failed";
  served: string | null;
  reason: string;
}

/**
 * One training run for a shop, recorded from start to end in ModelRun: load the shop's history,
 * train and evaluate beside the baselines, write the winner's lists to Redis, and only then make
 * them the shop's active lists (the previous run stays for rollback). A diverged run is recorded
 * as failed and changes nothing the shop is served.
 */
export async function runTraining(
  deps: RunTrainingDeps,
  shopDomain: string,
  trigger: TrainTrigger,
): Promise<RunOutcome> {
  const shop = await requireShop(deps.db, shopDomain);
  const startedAt = new Date();
  const run = await deps.db.modelRun.create({
    data: { shopId: shop.id, trigger, status: "running", backend: deps.backend, startedAt },
  });
  // Orders that arrive from now on count towards the next run.
  await resetTrainingCounter(deps.db, shop.id);
  const log = deps.log.child({ shop: shopDomain, runId: run.id });
  try {
    const { orders, catalog, views, window } = await loadTrainingInput(
      deps.db,
      shop.id,
      deps.budgetMb ?? DEFAULT_TRAIN_BUDGET_MB,
    );
    if (window) log.info("training.window", { ...window, note: describeWindow(window) });
    const result = await trainAndEvaluate(orders, catalog, {
      ...deps.options,
      views,
      onEpoch: (p) => deps.onProgress?.({ ...p, stage: "training" }),
    });
    await writeRunLists(deps.redis, deps.prefix, shopDomain, run.id, runListsFor(result.model, orders));
    await activateRun(deps.redis, deps.prefix, shopDomain, run.id);
    const durationMs = Date.now() - startedAt.getTime();
    await deps.db.$transaction([
      deps.db.modelRun.update({
        where: { id: run.id },
        data: {
          status: "completed",
          served: result.promoted,
          reason: window ? `${result.reason} ${describeWindow(window)}` : result.reason,
          orders: result.sizes.orders,
          customers: result.sizes.customers,
          items: result.sizes.items,
          examples: result.sizes.examples,
          durationMs,
          examplesPerSecond:
            result.timings.trainMs > 0 ? (result.sizes.examples * 1000) / result.timings.trainMs : null,
          metrics: JSON.stringify({
            ...result.metrics,
            strategies: result.strategies,
            timings: result.timings,
            ...(window ? { window } : {}),
          }),
          // Weights and vocabulary: this run's lists can be rebuilt (or rolled back to) without retraining.
          artifact: serializeRecommender(result.model),
          finishedAt: new Date(),
        },
      }),
      setServedRuns(deps.db, shop.id, { active: run.id, previous: shop.activeModelRunId }),
    ]);
    log.info("training.completed", { served: result.promoted, reason: result.reason, durationMs });
    result.model.dnn?.dispose();
    return { runId: run.id, status: "completed", served: result.promoted, reason: result.reason };
  } catch (error) {
    const reason =
      error instanceof TrainingDivergedError ? error.message : `training failed: ${(error as Error).message}`;
    await deps.db.modelRun.update({
      where: { id: run.id },
      data: { status: "failed", reason, finishedAt: new Date(), durationMs: Date.now() - startedAt.getTime() },
    });
    log.warn("training.failed", { reason });
    if (error instanceof TrainingDivergedError) return { runId: run.id, status: "failed", served: null, reason };
    throw error;
  }
}
