import type { Queue } from "bullmq";
import { z } from "zod";
import type { Db } from "../database/client.server";
import { loadChurnSettings } from "../churn/store.server";
import { shopDomainSchema } from "../shops/domain";

/*
 * The job that writes customer insights to Shopify (workers/processors/insight-write.ts). It runs
 * on the backfill queue beside the other Admin API work. One per shop at a time: a request while
 * one waits joins it, and a running write plans again after each pass, so a change of opt-in
 * made meanwhile is picked up before it ends.
 */
export const INSIGHT_WRITE_JOB_NAME = "insight-write";
export const insightWriteJobData = z.object({ shop: shopDomainSchema });
export type InsightWriteJobData = z.infer<typeof insightWriteJobData>;

export async function requestInsightWrite(queue: Queue, shop: string): Promise<void> {
  const data = insightWriteJobData.parse({ shop });
  await queue.add(INSIGHT_WRITE_JOB_NAME, data, {
    jobId: `insight-write-${shop}`,
    attempts: 6,
    // Throttling and Shopify outages pass; the run resumes from what is confirmed written.
    backoff: { type: "exponential", delay: 30_000 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3_600 },
  });
}

/**
 * After a churn run: queue a write when the shop opted in to an action, or when something written
 * earlier may have to come off (an action turned off, a customer redacted). Shops that never
 * opted in get no job.
 */
export async function requestInsightWriteIfNeeded(
  db: Db,
  queue: Queue,
  shop: { id: string; domain: string },
): Promise<boolean> {
  const settings = await loadChurnSettings(db, shop.id);
  const written = await db.customerInsightWrite.count({ where: { shopId: shop.id, gone: false } });
  if (!settings.tagsEnabled && !settings.metafieldsEnabled && written === 0) return false;
  await requestInsightWrite(queue, shop.domain);
  return true;
}
