import { Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { readPopular } from "../../app/lib/storefront-store/run-lists.server";
import { requestTraining } from "../../app/lib/training/train-queue.server";
import { bestSellersFigure } from "../../app/lib/admin/best-sellers-figure";
import { strategyFigures } from "../../app/lib/admin/strategy-figures";
import { DemoError } from "./errors";
import { storedMetrics, type RunSummary } from "./metrics-table";
import { createProgress, formatSeconds } from "./progress";

export interface TrainContext {
  db: Db;
  redis: Redis;
  prefix: string;
  shop: string;
  /** Train even when the shop already has a model being served. */
  retrain: boolean;
  workerLog: string;
}

export interface TrainOutcome {
  run: RunSummary;
  /** True when the existing model was kept and nothing was trained. */
  reused: boolean;
}

/**
 * Trains the demo shop through the real queue and worker, showing the job's progress, and
 * returns the run's record. A shop whose active run still has its lists in Redis keeps it
 * unless `retrain` is set, so a second demo run takes seconds.
 */
export async function trainDemoShop(ctx: TrainContext): Promise<TrainOutcome> {
  const shop = await ctx.db.shop.findUniqueOrThrow({ where: { domain: ctx.shop } });
  if (!ctx.retrain && shop.activeModelRunId && (await readPopular(ctx.redis, ctx.prefix, ctx.shop)).length > 0) {
    return { run: await loadRun(ctx.db, shop.activeModelRunId), reused: true };
  }
  const queue = createQueue(QUEUE_NAMES.train, ctx.redis, ctx.prefix);
  try {
    const job = await requestTraining(queue, ctx.shop, "manual");
    const runId = await followTrainingJob(queue, job.id!, ctx.workerLog);
    return { run: await loadRun(ctx.db, runId), reused: false };
  } finally {
    await queue.close();
  }
}

/** The processor reports each epoch (app/lib/model/dnn.ts EpochProgress) through job.updateProgress. */
interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  etaSeconds: number;
}

const isEpochReport = (value: unknown): value is EpochReport =>
  typeof value === "object" && value !== null && "epoch" in value && "epochs" in value && "loss" in value;

/** Polls the job until it finishes, drawing epochs, loss and ETA; returns the ModelRun id. */
async function followTrainingJob(queue: Queue, jobId: string, workerLog: string): Promise<string> {
  const progress = createProgress({ label: "training", total: 0, unit: "epochs", rate: false });
  try {
    for (;;) {
      const job = await Job.fromId(queue, jobId);
      if (!job)
        throw new DemoError(`The training job ${jobId} disappeared from the queue. The worker's log: ${workerLog}`);
      const state = await job.getState();
      if (state === "completed") return completedRunId(job, workerLog);
      if (state === "failed" || job.failedReason) {
        throw new DemoError(`Training failed: ${job.failedReason}. The worker's log: ${workerLog}`);
      }
      showJob(progress, state, job.progress);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    progress.finish();
  }
}

function showJob(progress: ReturnType<typeof createProgress>, state: string, report: unknown): void {
  if (state !== "active") {
    const why = state === "delayed" ? "the shop's previous run still holds its lock" : "waiting for the worker";
    return progress.update(0, { note: why });
  }
  if (!isEpochReport(report)) return progress.update(0, { note: "preparing: baselines and features" });
  // After the evaluated epochs, a promoted model takes one more pass over every order.
  const finalPass = report.epoch > report.epochs;
  progress.update(Math.min(report.epoch, report.epochs), {
    total: report.epochs,
    note: `loss ${report.loss.toFixed(3)}  ${finalPass ? "final pass over all orders" : `ETA ${formatSeconds(report.etaSeconds)}`}`,
  });
}

function completedRunId(job: Job, workerLog: string): string {
  const outcome = job.returnvalue as { runId?: string; status?: string; reason?: string } | null;
  if (!outcome?.runId) throw new DemoError(`The training job finished without a run. The worker's log: ${workerLog}`);
  if (outcome.status === "failed") throw new DemoError(`Training failed: ${outcome.reason}`);
  return outcome.runId;
}

/** One sentence per block strategy, then the holdout group's best sellers, as the model page words them. */
function describeLists(metrics: string): string[] {
  const figures = strategyFigures(metrics);
  const bestSellers = bestSellersFigure(metrics, figures);
  return [...figures.map((f) => f.sentence), ...(bestSellers ? [bestSellers.sentence] : [])];
}

async function loadRun(db: Db, id: string): Promise<RunSummary> {
  const run = await db.modelRun.findUniqueOrThrow({ where: { id } });
  return {
    id: run.id,
    status: run.status,
    served: run.served,
    reason: run.reason,
    backend: run.backend,
    orders: run.orders,
    customers: run.customers,
    items: run.items,
    examples: run.examples,
    durationMs: run.durationMs,
    metrics: storedMetrics.parse(JSON.parse(run.metrics)),
    strategies: describeLists(run.metrics),
  };
}
