import { UnrecoverableError, type Job, type Processor } from "bullmq";
import type { RedisClient } from "../../app/lib/redis.server";
import { recommendedFromStore } from "../../app/lib/insights/recommended.server";
import { AdminApiError, createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { requireShop, ShopNotFoundError } from "../../app/lib/shops/registry.server";
import { InsightWriteError } from "../../app/lib/insights/errors";
import { insightWriteJobData, type InsightWriteJobData } from "../../app/lib/insights/write-job.server";
import { failWriteRun, runInsightWrite } from "../../app/lib/insights/write.server";
import { BulkOperationEndedError } from "../../app/lib/sync/backfill-errors";
import { handleTokenFailure, type AdminApiJobDeps } from "./admin-api-job";

export interface InsightWriteProcessorDeps extends AdminApiJobDeps {
  /** The served run's lists, for the recommended_products metafield. */
  redis: RedisClient;
  prefix: string;
  pollIntervalMs?: number;
}

export interface InsightWriteResult {
  runId: string;
  written: number;
  failed: number;
}

/**
 * Writes the shop's customer insights to Shopify (app/lib/insights/write.server.ts). Throttling,
 * 5xx and a bulk operation that failed in a way a new one can fix are retried by BullMQ, each
 * attempt resuming from what is confirmed; a revoked token makes the job wait for the merchant
 * to reconnect (handleTokenFailure); anything no retry can fix fails the run with its reason.
 */
export function createInsightWriteProcessor(
  deps: InsightWriteProcessorDeps,
): Processor<InsightWriteJobData, InsightWriteResult> {
  return async (job: Job<InsightWriteJobData>, token?: string) => {
    const parsed = insightWriteJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not an insight write: ${parsed.error.message}`);
    const { shop } = parsed.data;
    const log = deps.log.child({ shop, jobId: job.id });
    // A shop redacted after uninstall has no row, and no token: nothing could ever be written.
    const shopRow = await requireShop(deps.db, shop).catch((error: unknown) => {
      throw error instanceof ShopNotFoundError ? new UnrecoverableError(error.message) : error;
    });
    const { request } = createAdminGraphql({ shop, accessToken: deps.tokens, apiVersion: deps.apiVersion, log });
    try {
      const run = await runInsightWrite({
        db: deps.db,
        admin: request,
        shopId: shopRow.id,
        log,
        pollIntervalMs: deps.pollIntervalMs,
        recommended: recommendedFromStore(deps, { id: shopRow.id, domain: shop }),
        onProgress: (r) => job.updateProgress({ step: r.step, objectCount: r.objectCount, written: r.written }),
      });
      return { runId: run.id, written: run.written, failed: run.failed };
    } catch (caught) {
      const error = await handleTokenFailure(caught, job, token, {
        db: deps.db,
        log,
        retryInMs: deps.reconnectRetryMs,
      });
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!retryable(error) || lastAttempt) {
        const message = error instanceof Error ? error.message : String(error);
        await failWriteRun(deps.db, shopRow.id, message);
        throw retryable(error) ? error : new UnrecoverableError(message);
      }
      throw error;
    }
  };
}

function retryable(error: unknown): boolean {
  if (error instanceof AdminApiError || error instanceof InsightWriteError) return error.retryable;
  if (error instanceof BulkOperationEndedError) return error.retryable;
  return true; // a database or network hiccup: BullMQ's attempts bound it
}
