import { UnrecoverableError, type Job, type Processor } from "bullmq";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { isRetryableBackfillError } from "../../app/lib/sync/backfill-errors";
import { backfillJobData, type BackfillJobData } from "../../app/lib/sync/backfill-queue.server";
import { runBackfill, type BackfillProgress } from "../../app/lib/sync/backfill.server";
import type { BackfillResource } from "../../app/lib/sync/bulk-queries";
import { syncShopTimeZone } from "../../app/lib/sync/shop-time-zone.server";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { handleTokenFailure, type AdminApiJobDeps } from "./admin-api-job";

// Producers (the app's afterAuth hook) enqueue through app/lib; re-exported for the worker side.
export { BACKFILL_JOB_NAME, enqueueBackfill, type BackfillJobData } from "../../app/lib/sync/backfill-queue.server";

export interface BackfillProcessorDeps extends AdminApiJobDeps {
  /** Months of order history to import (BACKFILL_MONTHS). */
  months: number;
  /** First wait between bulk operation polls. @defaultValue 2000 */
  pollIntervalMs?: number;
  /** @defaultValue () => new Date() */
  now?: () => Date;
  /** Called once the history is in: the shop's first training. */
  onImported?: (shop: string) => Promise<unknown>;
}

export type BackfillResult = Partial<Record<BackfillResource, BackfillProgress>>;

const RESOURCES: BackfillResource[] = ["products", "orders"];

/**
 * Imports a newly installed shop's catalog, then its recent orders. Each resource resumes where
 * the previous attempt stopped (see runBackfill), so a retried or stalled job continues rather
 * than starting over. Failures no retry can fix become UnrecoverableError; a shop that needs
 * reconnecting makes the job wait (handleTokenFailure), never fail.
 */
export function createBackfillProcessor(deps: BackfillProcessorDeps): Processor<BackfillJobData, BackfillResult> {
  return async (job: Job<BackfillJobData>, token?: string) => {
    const parsed = backfillJobData.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a backfill request: ${parsed.error.message}`);
    const { shop, force } = parsed.data;
    const log = deps.log.child({ shop, jobId: job.id });
    const settle = (error: unknown) =>
      handleTokenFailure(error, job, token, { db: deps.db, log, retryInMs: deps.reconnectRetryMs });

    // Fails early, before any row is written, when the app is not installed or the shop needs reconnecting.
    await deps.tokens.accessToken(shop).catch(async (error: unknown) => {
      throw await settle(error);
    });
    const shopId = await ensureShopId(deps.db, shop);
    const { request } = createAdminGraphql({ shop, accessToken: deps.tokens, apiVersion: deps.apiVersion, log });
    // The shop's days (rollups, the dashboard) are in its own zone; read it before the import.
    await syncShopTimeZone(deps.db, request, shop, log).catch(async (error: unknown) => {
      throw await settle(error);
    });
    const since = monthsBefore((deps.now ?? (() => new Date()))(), deps.months);

    const progress: BackfillResult = {};
    for (const resource of RESOURCES) {
      try {
        progress[resource] = await runBackfill({
          db: deps.db,
          admin: request,
          shopId,
          resource,
          since,
          // Only what finished before this job was queued: a retry must not redo its own work.
          force: force ? { completedBefore: new Date(job.timestamp) } : false,
          log,
          pollIntervalMs: deps.pollIntervalMs,
          onProgress: async (p) => {
            progress[resource] = p;
            await job.updateProgress({ ...progress });
          },
        });
      } catch (caught) {
        const error = await settle(caught);
        if (isRetryableBackfillError(error)) throw error;
        throw new UnrecoverableError(`${resource} backfill for ${shop} cannot succeed: ${(error as Error).message}`);
      }
    }
    log.info("backfill.done", {
      products: progress.products?.recordsImported,
      orders: progress.orders?.recordsImported,
    });
    await deps.onImported?.(shop);
    return progress;
  };
}

function monthsBefore(now: Date, months: number): Date {
  const since = new Date(now);
  since.setUTCMonth(since.getUTCMonth() - months);
  return since;
}
