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

/*
 * customers/redact's removal of what was written to that one customer (app/lib/insights/redact.server.ts),
 * on the same queue as the insight write. Queued only when something was written, so Shopify's 30
 * days are met without waiting for the next training.
 */
export const INSIGHT_REDACT_JOB_NAME = "insight-redact";
export const insightRedactJobData = z.object({
  shop: shopDomainSchema,
  customer: z.string().regex(/^\d+$/, "a numeric Shopify customer id"),
});
export type InsightRedactJobData = z.infer<typeof insightRedactJobData>;

/** Queues the removal when the customer has a tag or metafields recorded as written; says whether it did. */
export async function requestInsightRedactIfWritten(
  db: Db,
  queue: Queue,
  shop: { id: string; domain: string },
  customerShopifyId: string,
  /** The first retry's delay, doubling after. @defaultValue 30 seconds */
  backoffMs = 30_000,
): Promise<boolean> {
  const written = await db.customerInsightWrite.count({
    where: {
      shopId: shop.id,
      customerShopifyId,
      redacted: true,
      OR: [{ tag: { not: null } }, { metafields: { not: null } }],
    },
  });
  if (written === 0) return false;
  const data = insightRedactJobData.parse({ shop: shop.domain, customer: customerShopifyId });
  await queue.add(INSIGHT_REDACT_JOB_NAME, data, {
    // One per customer: a redelivered webhook joins the job already waiting.
    jobId: `insight-redact-${shop.domain}-${customerShopifyId}`,
    attempts: 8,
    // Throttling and outages pass; each attempt sends only what is still recorded.
    backoff: { type: "exponential", delay: backoffMs },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3_600 },
  });
  return true;
}
