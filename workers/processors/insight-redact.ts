import { UnrecoverableError, type Job, type Processor } from "bullmq";
import { AdminApiError, createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { findShop } from "../../app/lib/shops/registry.server";
import { InsightWriteError } from "../../app/lib/insights/errors";
import { removeRedactedInsights, type RedactRemoval } from "../../app/lib/insights/redact.server";
import { insightRedactJobData, type InsightRedactJobData } from "../../app/lib/insights/write-job.server";
import { handleTokenFailure, type AdminApiJobDeps } from "./admin-api-job";

export type InsightRedactProcessorDeps = AdminApiJobDeps;

/**
 * Removes a redacted customer's tag and metafields from Shopify (app/lib/insights/redact.server.ts).
 * Throttling, 5xx and database hiccups throw, so BullMQ retries with backoff, and the row stays
 * until Shopify confirms; a revoked token waits for the merchant to reconnect.
 */
export function createInsightRedactProcessor(
  deps: InsightRedactProcessorDeps,
): Processor<InsightRedactJobData, RedactRemoval> {
  return async (job: Job<InsightRedactJobData>, token?: string) => {
    const parsed = insightRedactJobData.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not an insight redaction: ${parsed.error.message}`);
    const { shop, customer } = parsed.data;
    const log = deps.log.child({ shop, jobId: job.id });
    // shop/redact removed the shop and every row with it: nothing is left to remove here either.
    const shopRow = await findShop(deps.db, shop);
    if (!shopRow) return { sent: 0, gone: false };
    const { request } = createAdminGraphql({ shop, accessToken: deps.tokens, apiVersion: deps.apiVersion, log });
    try {
      const result = await removeRedactedInsights(deps.db, request, shopRow.id, customer);
      log.info("insight_redact.done", { sent: result.sent, gone: result.gone });
      return result;
    } catch (caught) {
      const error = await handleTokenFailure(caught, job, token, {
        db: deps.db,
        log,
        retryInMs: deps.reconnectRetryMs,
      });
      const retryable = error instanceof AdminApiError || error instanceof InsightWriteError ? error.retryable : true;
      if (!retryable) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
}
