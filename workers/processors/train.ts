/**
 * The training processor. BullMQ runs this file in a child process (a sandboxed processor), so a
 * minute of TensorFlow never blocks the worker's event loop: its job locks keep being renewed
 * and webhooks keep flowing. Everything here is set up once per child process.
 */
import { DelayedError, UnrecoverableError, type SandboxedJob } from "bullmq";
import { trainLockKey } from "../../app/lib/storefront-store/keys";
import { createRedis, type RedisClient } from "../../app/lib/redis.server";
import { createDb, type Db } from "../../app/lib/database/client.server";
import { env } from "../../app/lib/env.server";
import { createLogger, type Logger } from "../../app/lib/logger.server";
import { initTfBackend } from "../../app/lib/tf/backend.server";
import { runTraining, type RunOutcome } from "../../app/lib/training/run-training.server";
import { acquireShopLock } from "../../app/lib/training/shop-lock.server";
import {
  REFRESH_JOB_NAME,
  forgetRefreshCustomers,
  refreshCustomers,
  refreshJobData,
  RESTORE_JOB_NAME,
  restoreJobData,
  trainJobData,
} from "../../app/lib/training/train-queue.server";
import { refreshServedLists } from "../../app/lib/training/rebuild-lists.server";
import { restoreRun } from "../../app/lib/training/rollback.server";
import { runChurnForShop, type ChurnOutcome } from "../../app/lib/churn/store.server";
import { requestInsightWriteIfNeeded } from "../../app/lib/insights/write-job.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createOrphanCheck } from "../../app/lib/jobs/orphan-guard";
import type { Queue } from "bullmq";

// BullMQ forks this file with an IPC channel to the worker. If the worker dies without closing
// its children (kill -9, OOM), the channel drops; without this the orphan would train on,
// holding the shop's lock and a core, with nobody to report to. The event only runs when the
// loop is free, so each epoch's progress also checks for a new parent (orphan-guard.ts).
process.once("disconnect", () => process.exit(1));
const exitIfOrphaned = createOrphanCheck();

interface TrainContext {
  db: Db;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  backend: string;
  budgetMb: number;
}

let context: Promise<TrainContext> | undefined;

function setUp(): Promise<TrainContext> {
  context ??= (async () => {
    const config = env();
    const log = createLogger(config.LOG_LEVEL, { service: "train", pid: process.pid });
    const backend = await initTfBackend({ force: config.TF_BACKEND, log: (event, fields) => log.info(event, fields) });
    return {
      db: createDb(config.DATABASE_URL),
      redis: createRedis(config.REDIS_URL, "worker"),
      prefix: config.QUEUE_PREFIX,
      log,
      backend: backend.name,
      budgetMb: config.TRAIN_MAX_RSS_MB,
    };
  })();
  return context;
}

let insightQueue: Queue | undefined;
/** The queue the insight write goes to (the Admin API jobs' queue), opened once per child. */
const writeQueue = (ctx: TrainContext) => (insightQueue ??= createQueue(QUEUE_NAMES.backfill, ctx.redis, ctx.prefix));

/** How long a shop stays locked without renewal; the holder renews it while it trains. */
const LOCK_TTL_MS = 60_000;

export default async function processTrainJob(job: SandboxedJob, token?: string) {
  if (job.name === RESTORE_JOB_NAME) return processRestoreJob(job, token);
  if (job.name === REFRESH_JOB_NAME) return processRefreshJob(job, token);
  return processTraining(job, token);
}

/**
 * Runs `work` holding the shop's training lock. If another job holds it (the shop's other
 * training slot, or a restore), this job waits and runs afterwards, with the newest data.
 */
async function withShopLock<T>(
  job: SandboxedJob,
  token: string | undefined,
  shop: string,
  work: (ctx: TrainContext) => Promise<T>,
) {
  const ctx = await setUp();
  const release = await acquireShopLock(ctx.redis, trainLockKey(ctx.prefix, shop), LOCK_TTL_MS);
  if (!release) {
    await job.moveToDelayed(Date.now() + 15_000, token);
    throw new DelayedError();
  }
  try {
    return await work(ctx);
  } finally {
    await release();
  }
}

/** What rebuilding a run's lists needs from this process (restore and refresh). */
const rebuildDeps = (ctx: TrainContext, job: SandboxedJob) => ({
  db: ctx.db,
  redis: ctx.redis,
  prefix: ctx.prefix,
  log: ctx.log.child({ jobId: job.id }),
  budgetMb: ctx.budgetMb,
});

/** A rollback whose lists Redis lost: rebuild them from the run's stored model, then serve it. */
async function processRestoreJob(job: SandboxedJob, token?: string) {
  const parsed = restoreJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not a restore request: ${parsed.error.message}`);
  const { shop, runId } = parsed.data;
  return withShopLock(job, token, shop, (ctx) => restoreRun(rebuildDeps(ctx, job), shop, runId));
}

/** New orders since the served run's lists were built: rebuild them from its model, in place. */
async function processRefreshJob(job: SandboxedJob, token?: string) {
  const parsed = refreshJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not a list refresh: ${parsed.error.message}`);
  const { shop, after } = parsed.data;
  return withShopLock(job, token, shop, async (ctx) => {
    const customers = await refreshCustomers(ctx.redis, ctx.prefix, parsed.data);
    const outcome = await refreshServedLists(rebuildDeps(ctx, job), shop, { after, customers });
    await forgetRefreshCustomers(ctx.redis, ctx.prefix, parsed.data);
    return outcome;
  });
}

/** The run's outcome with the churn step's, and this child's peak memory so far, for the worker's metrics. */
export type TrainJobResult = RunOutcome & { churn: ChurnOutcome | null; peakRssBytes: number };

async function processTraining(job: SandboxedJob, token?: string): Promise<TrainJobResult> {
  const parsed = trainJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not a training request: ${parsed.error.message}`);
  const { shop, trigger } = parsed.data;
  const result = await withShopLock(job, token, shop, async (ctx) => {
    const log = ctx.log.child({ jobId: job.id });
    const outcome = await runTraining(
      {
        db: ctx.db,
        redis: ctx.redis,
        prefix: ctx.prefix,
        log,
        backend: ctx.backend,
        budgetMb: ctx.budgetMb,
        onProgress: (progress) => {
          exitIfOrphaned();
          void job.updateProgress(progress);
        },
      },
      shop,
      trigger,
    );
    // The churn model (issue 21) runs after the recommender in the same job and under the same
    // lock, so both read the same orders. Its failure is logged and never fails the
    // recommender's run, which is already served. It reads the same budget's window.
    try {
      const churn = await runChurnForShop(ctx.db, log, shop, { budgetMb: ctx.budgetMb });
      // New segments go to Shopify's tags and metafields when the merchant opted in (ADR 013).
      await requestInsightWriteIfNeeded(ctx.db, writeQueue(ctx), { id: churn.shopId, domain: shop });
      return { ...outcome, churn };
    } catch (err) {
      log.error("churn_run_failed", { shop, error: err instanceof Error ? err.message : String(err) });
      return { ...outcome, churn: null };
    }
  });
  // maxRSS is in KiB and covers this child's life; BullMQ reuses children, so it is a high-water mark.
  return { ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}
