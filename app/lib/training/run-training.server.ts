import type { RedisClient } from "../redis.server";
import { resetTrainingCounter, setServedRuns } from "../shops/training-state.server";
import { requireShop } from "../shops/registry.server";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { TrainingDivergedError } from "../model/errors";
import type { EpochProgress } from "../model/dnn";
import { serializeRecommender } from "../model/artifact";
import { trainAndEvaluate, type TrainAndEvaluateOptions, type TrainAndEvaluateResult } from "../model/evaluate";
import { activateRun, writeRunLists, type RunLists } from "../storefront-store/run-lists.server";
import {
  capsForBudget,
  DEFAULT_TRAIN_BUDGET_MB,
  describeWindow,
  halvedCaps,
  type TrainingWindow,
  type WindowCaps,
} from "../model/window";
import { loadTrainingInput } from "./shop-history.server";
import { runListsFor } from "./build-lists";
import { collectGarbage, memoryGuard, MemoryBudgetExceededError, type MemoryGuard } from "./memory-guard";
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
  /** The window's caps; absent: derived from budgetMb (capsForBudget). */
  caps?: WindowCaps;
  /** Where the memory guard reads the resident memory it compares with budgetMb; absent: this process's. */
  readRssBytes?: () => number;
  onProgress?: (progress: EpochProgress & { stage: "training" }) => void;
}

export interface RunOutcome {
  runId: string;
  status: "completed" | "failed";
  served: string | null;
  reason: string;
}

/** Where an attempt was stopped by the memory guard, for the run record. */
interface MemoryStop {
  stage: string;
  rssMb: number;
  caps: WindowCaps;
}

/**
 * One training run for a shop, recorded from start to end in ModelRun: load the shop's history,
 * train and evaluate beside the baselines, write the winner's lists to Redis, and only then make
 * them the shop's active lists (the previous run stays for rollback). A diverged run is recorded
 * as failed and changes nothing the shop is served.
 *
 * Memory: the history is cut to the budget's window, and the guard (memory-guard.ts) stops an
 * attempt whose resident memory passes the budget anyway. The run then retries once with half
 * the window; if that stops too, the run is recorded as failed with both readings and the
 * previous model keeps serving. Nothing is written to Redis before an attempt has passed every
 * check, so a stopped attempt leaves the shop's lists as they were.
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
  const budgetMb = deps.budgetMb ?? DEFAULT_TRAIN_BUDGET_MB;
  const guard = memoryGuard(budgetMb, deps.readRssBytes);
  const stops: MemoryStop[] = [];
  const failRun = async (reason: string, metrics?: object) => {
    await deps.db.modelRun.update({
      where: { id: run.id },
      data: {
        status: "failed",
        reason,
        finishedAt: new Date(),
        durationMs: Date.now() - startedAt.getTime(),
        ...(metrics ? { metrics: JSON.stringify(metrics) } : {}),
      },
    });
    log.warn("training.failed", { reason });
    return { runId: run.id, status: "failed" as const, served: null, reason };
  };
  try {
    let caps = deps.caps ?? capsForBudget(budgetMb);
    let trained: Attempt | null = null;
    while (!trained) {
      try {
        trained = await attempt(deps, shop.id, budgetMb, caps, guard, log);
      } catch (error) {
        if (!(error instanceof MemoryBudgetExceededError)) throw error;
        stops.push({ stage: error.stage, rssMb: error.rssMb, caps });
        log.warn("training.memory_stop", { stage: error.stage, rssMb: error.rssMb, budgetMb, caps });
        const memoryGuardRecord = { budgetMb, stops, peakRssMb: guard.peakMb() };
        if (stops.length > 1) return await failRun(memoryFailure(stops, budgetMb), { memoryGuard: memoryGuardRecord });
        collectGarbage();
        caps = halvedCaps(caps);
      }
    }
    const { result, window, lists } = trained;
    await writeRunLists(deps.redis, deps.prefix, shopDomain, run.id, lists);
    await activateRun(deps.redis, deps.prefix, shopDomain, run.id);
    const durationMs = Date.now() - startedAt.getTime();
    const notes = [
      result.reason,
      window ? describeWindow(window) : null,
      stops.length ? retryNote(stops[0]!, budgetMb) : null,
    ];
    await deps.db.$transaction([
      deps.db.modelRun.update({
        where: { id: run.id },
        data: {
          status: "completed",
          served: result.promoted,
          reason: notes.filter(Boolean).join(" "),
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
            related: result.related,
            firstVisit: result.firstVisit,
            timings: result.timings,
            ...(window ? { window } : {}),
            memoryGuard: { budgetMb, stops, peakRssMb: guard.peakMb() },
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
    if (error instanceof TrainingDivergedError) return failRun(error.message);
    await failRun(`training failed: ${(error as Error).message}`);
    throw error;
  }
}

interface Attempt {
  result: TrainAndEvaluateResult;
  window: TrainingWindow | null;
  lists: RunLists;
}

/**
 * Load, train, evaluate and build the lists within `caps`, checking resident memory at each safe
 * point. Writes nothing: a stopped attempt leaves no trace but its network, which is disposed.
 */
async function attempt(
  deps: RunTrainingDeps,
  shopId: string,
  budgetMb: number,
  caps: WindowCaps,
  guard: MemoryGuard,
  log: Logger,
): Promise<Attempt> {
  const { orders, catalog, views, window } = await loadTrainingInput(deps.db, shopId, budgetMb, caps);
  if (window) log.info("training.window", { ...window, note: describeWindow(window) });
  guard.check("after loading the history");
  const result = await trainAndEvaluate(orders, catalog, {
    ...deps.options,
    views,
    onEpoch: (p) => {
      deps.onProgress?.({ ...p, stage: "training" });
      // An epoch is the finest point the trainer hands back; a throw here disposes the networks.
      guard.check(`after epoch ${p.epoch} of ${p.epochs}`);
    },
  });
  try {
    guard.check("after evaluation");
    const lists = runListsFor(result.model, orders);
    guard.check("after building the lists");
    return { result, window, lists };
  } catch (error) {
    result.model.dnn?.dispose();
    throw error;
  }
}

const windowSize = (caps: WindowCaps) =>
  `up to ${caps.maxLines.toLocaleString("en")} order lines and ${caps.maxItems.toLocaleString("en")} products`;

function retryNote(stop: MemoryStop, budgetMb: number): string {
  return `The first attempt reached ${stop.rssMb.toLocaleString("en")} MB ${stop.stage} (budget ${budgetMb} MB) with ${windowSize(stop.caps)}, so the run was retried with half the window.`;
}

function memoryFailure(stops: readonly MemoryStop[], budgetMb: number): string {
  const [first, second] = stops;
  return (
    `stopped to stay within ${budgetMb} MB: resident memory reached ${first!.rssMb.toLocaleString("en")} MB ${first!.stage} with ${windowSize(first!.caps)}, ` +
    `and ${second!.rssMb.toLocaleString("en")} MB ${second!.stage} with ${windowSize(second!.caps)}; the previous model keeps serving.`
  );
}
