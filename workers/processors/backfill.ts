import { UnrecoverableError, type Job, type Processor } from "bullmq";
import type { Db } from "../../app/lib/db.server";
import type { Logger } from "../../app/lib/logger.server";
import { createAdminGraphql, offlineAccessToken, type AdminGraphqlOptions } from "../../app/lib/shopify-admin.server";
import { isRetryableBackfillError } from "../../app/lib/sync/backfill-errors";
import { backfillJobData, type BackfillJobData } from "../../app/lib/sync/backfill-queue.server";
import { runBackfill, type BackfillProgress } from "../../app/lib/sync/backfill.server";
import type { BackfillResource } from "../../app/lib/sync/bulk-queries";
import { syncShopTimeZone } from "../../app/lib/sync/shop-time-zone.server";
import { ensureShopId } from "../../app/lib/sync/shops-registry.server";

// Producers (the app's afterAuth hook) enqueue through app/lib; re-exported for the worker side.
export { BACKFILL_JOB_NAME, enqueueBackfill, type BackfillJobData } from "../../app/lib/sync/backfill-queue.server";

export interface BackfillProcessorDeps {
  db: Db;
  log: Logger;
  /** Months of order history to import (BACKFILL_MONTHS). */
  months: number;
  /** First wait between bulk operation polls. @defaultValue 2000 */
  pollIntervalMs?: number;
  /** @defaultValue ADMIN_API_VERSION */
  apiVersion?: AdminGraphqlOptions["apiVersion"];
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
 * than starting over. Failures no retry can fix become UnrecoverableError.
 */
export function createBackfillProcessor(deps: BackfillProcessorDeps): Processor<BackfillJobData, BackfillResult> {
  return async (job: Job<BackfillJobData>) => {
    const parsed = backfillJobData.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a backfill request: ${parsed.error.message}`);
    const { shop, force } = parsed.data;
    const log = deps.log.child({ shop, jobId: job.id });

    const accessToken = await offlineAccessToken(deps.db, shop);
    if (!accessToken) {
      throw new UnrecoverableError(
        `no offline session for ${shop}: the app is not installed there, so its history cannot be read`,
      );
    }
    const shopId = await ensureShopId(deps.db, shop);
    const { request } = createAdminGraphql({
      shop,
      accessToken,
      apiVersion: deps.apiVersion,
      log,
    });
    // The shop's days (rollups, the dashboard) are in its own zone; read it before the import.
    await syncShopTimeZone(deps.db, request, shop, log);
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
      } catch (error) {
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
