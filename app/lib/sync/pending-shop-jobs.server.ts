import type { Queue } from "bullmq";
import { PENDING_STATES } from "../jobs/queues";
import { backfillJobId } from "./backfill-queue.server";
import { refreshJobId, refreshWindow, restoreJobId, trainJobId } from "../training/train-queue.server";

/**
 * Removes a shop's backfill, training and list-refresh jobs that have not started
 * (app/uninstalled: there is no token to import with, and nobody to train or serve for). A job
 * already running is left to finish or fail on its own; the backfill fails at once without an
 * offline session, a refresh finds the shop not installed.
 */
export async function cancelPendingShopJobs(
  queues: { backfill: Queue; train: Queue },
  shop: string,
  /** LIST_REFRESH_SECONDS in ms (0: refreshes are off, none to look for). */
  refreshWindowMs = 0,
  now = Date.now(),
): Promise<number> {
  // A refresh job waits for its window's end, then perhaps behind trainings: the current window's
  // and the one before are where a pending one can be.
  const refreshIds: string[] = [];
  if (refreshWindowMs > 0) {
    const { index } = refreshWindow(shop, refreshWindowMs, now);
    refreshIds.push(refreshJobId(shop, index), refreshJobId(shop, index - 1));
  }
  const candidates = await Promise.all([
    queues.backfill.getJob(backfillJobId(shop)),
    queues.train.getJob(trainJobId(shop, "a")),
    queues.train.getJob(trainJobId(shop, "b")),
    queues.train.getJob(restoreJobId(shop)),
    ...refreshIds.map((id) => queues.train.getJob(id)),
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
