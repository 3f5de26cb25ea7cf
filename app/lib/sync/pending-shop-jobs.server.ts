import type { Queue } from "bullmq";
import { PENDING_STATES } from "../jobs/queues";
import { backfillJobId } from "./backfill-queue.server";
import { restoreJobId, trainJobId } from "../training/train-queue.server";

/**
 * Removes a shop's backfill and training jobs that have not started (app/uninstalled: there is
 * no token to import with, and nobody to train for). A job already running is left to finish or
 * fail on its own; the backfill fails at once without an offline session.
 */
export async function cancelPendingShopJobs(queues: { backfill: Queue; train: Queue }, shop: string): Promise<number> {
  const candidates = await Promise.all([
    queues.backfill.getJob(backfillJobId(shop)),
    queues.train.getJob(trainJobId(shop, "a")),
    queues.train.getJob(trainJobId(shop, "b")),
    queues.train.getJob(restoreJobId(shop)),
  ]);
  let cancelled = 0;
  for (const job of candidates) {
    if (!job || !PENDING_STATES.has(await job.getState())) continue;
    // remove() refuses a job that got locked (started) in the meantime; that one runs.
    if (
      await job.remove().then(
        () => true,
        () => false,
      )
    )
      cancelled += 1;
  }
  return cancelled;
}
