import type { Job, JobsOptions, Queue } from "bullmq";
import { z } from "zod";
import { shopDomainSchema } from "../shops/domain";

/** The backfill queue's one job name. */
export const BACKFILL_JOB_NAME = "backfill";

export const backfillJobData = z.object({
  shop: shopDomainSchema,
  /** Import again where an earlier backfill completed (a reinstall while the data was kept). */
  force: z.boolean().optional(),
});
export type BackfillJobData = z.input<typeof backfillJobData>;

/**
 * Backfills wait out a busy shop or a Shopify incident: 6 attempts, exponential from 30 s (about
 * 30 minutes in all). Each attempt resumes from the last checkpoint rather than starting over.
 */
export const BACKFILL_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: "exponential", delay: 30_000 },
} satisfies JobsOptions;

/** One job id per shop ("backfill-<shop>"); BullMQ job ids must not contain ":". */
export const backfillJobId = (shop: string) => `backfill-${shop}`;

/**
 * Queues the backfill for a shop once. A double install (two afterAuth calls) adds one job,
 * because the id is per shop. But BullMQ also ignores an add whose id belongs to a finished job it
 * still keeps (removeOnComplete keeps them a day, removeOnFail a week), so a merchant who
 * reinstalls would silently get no backfill: a finished job with the id is removed first. A
 * waiting, delayed or running one is left alone and returned.
 */
export async function enqueueBackfill(queue: Queue, shop: string, options: { force?: boolean } = {}): Promise<Job> {
  const jobId = backfillJobId(shop);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === "completed" || state === "failed") await existing.remove();
    else if (state !== "unknown") return existing; // "unknown": removed since getJob, so add afresh
  }
  const data: BackfillJobData = options.force ? { shop, force: true } : { shop };
  return queue.add(BACKFILL_JOB_NAME, data, { jobId, ...BACKFILL_JOB_OPTIONS });
}
