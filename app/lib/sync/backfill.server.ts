import type { Backfill } from "@prisma/client";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { BackfillError, BulkOperationEndedError, isRetryableBackfillError } from "./backfill-errors";
import { importBulkResult } from "./backfill-import.server";
import { operationFailure, pollBulkOperation, startBulkQuery } from "./bulk-operation.server";
import { bulkQueryFor, type BackfillResource } from "./bulk-queries";

export interface BackfillProgress {
  resource: BackfillResource;
  status: string;
  objectCount: number;
  linesImported: number;
  recordsImported: number;
}

export interface RunBackfillOptions {
  db: Db;
  admin: AdminGraphql;
  shopId: string;
  resource: BackfillResource;
  /** Oldest order to import; required for orders, ignored for products. */
  since?: Date;
  log: Logger;
  onProgress?: (progress: BackfillProgress) => void | Promise<void>;
  /** First wait between status polls. @defaultValue 2000 */
  pollIntervalMs?: number;
  /** @defaultValue 30000 */
  maxPollIntervalMs?: number;
  /** @defaultValue 500 */
  checkpointEveryLines?: number;
  /**
   * Import again although an earlier backfill completed: `true` always starts a new operation;
   * `{ completedBefore }` only redoes a backfill that finished before that moment, so a retried job
   * does not redo the work its first attempt already finished. @defaultValue false
   */
  force?: boolean | { completedBefore: Date };
}

export const progressOf = (row: Backfill): BackfillProgress => ({
  resource: row.resource as BackfillResource,
  status: row.status,
  objectCount: row.objectCount,
  linesImported: row.linesImported,
  recordsImported: row.recordsImported,
});

/**
 * Imports one resource's history through a bulk operation, driven by the shop's Backfill row so
 * that any run can pick up where the last one stopped: pending → running (operation started)
 * → importing (streaming its result) → completed, or failed. Safe to run again at any point.
 */
export async function runBackfill(options: RunBackfillOptions): Promise<BackfillProgress> {
  const { db, shopId, resource } = options;
  const log = options.log.child({ resource });
  const report = async (row: Backfill) => options.onProgress?.(progressOf(row));
  let row = await db.backfill.upsert({
    where: { shopId_resource: { shopId, resource } },
    create: { shopId, resource },
    update: {},
  });
  if (row.status === "completed" && !redoCompleted(options.force, row)) {
    log.info("backfill.skipped", { reason: "already completed" });
    return progressOf(row);
  }
  try {
    const restart = options.force === true;
    const resumable = !restart && row.bulkOperationId !== null && ["running", "importing"].includes(row.status);
    if (resumable) log.info("backfill.resuming", { status: row.status, bulkOperationId: row.bulkOperationId });
    row = resumable ? row : await startOperation(options, row, log);
    const operationId = row.bulkOperationId!;
    const op = await pollBulkOperation(options.admin, operationId, {
      intervalMs: options.pollIntervalMs,
      maxIntervalMs: options.maxPollIntervalMs,
      onCount: async ({ objectCount }) =>
        report(await db.backfill.update({ where: { id: row.id }, data: { objectCount } })),
    });
    if (op.status !== "COMPLETED") throw operationFailure(op);
    row = await db.backfill.update({
      where: { id: row.id },
      data: { status: "importing", objectCount: op.objectCount },
    });
    await report(row);
    row = await importBulkResult(
      { db, shopId, resource, row, log, checkpointEveryLines: options.checkpointEveryLines, onProgress: report },
      op.url,
    );
    return progressOf(row);
  } catch (error) {
    await recordFailure(db, row.id, error, log);
    throw error;
  }
}

async function startOperation(options: RunBackfillOptions, row: Backfill, log: Logger): Promise<Backfill> {
  const { db, resource } = options;
  // A pending row that already has a date was interrupted around the start; keeping its date keeps
  // the query text identical, so an operation that did start is recognised and adopted.
  const keepSince = options.force !== true && row.status === "pending" && row.since !== null;
  const since = resource === "orders" ? (keepSince ? row.since : (options.since ?? null)) : null;
  if (resource === "orders" && !since) throw new BackfillError("an orders backfill needs a `since` date", false);
  const query = bulkQueryFor(resource, since);
  await db.backfill.update({
    where: { id: row.id },
    data: {
      status: "pending",
      since,
      bulkOperationId: null,
      objectCount: 0,
      linesImported: 0,
      recordsImported: 0,
      error: null,
      startedAt: null,
      finishedAt: null,
    },
  });
  const started = await startBulkQuery(options.admin, query);
  log.info(started.adopted ? "backfill.adopted_operation" : "backfill.started_operation", {
    bulkOperationId: started.id,
  });
  return db.backfill.update({
    where: { id: row.id },
    data: { status: "running", bulkOperationId: started.id, startedAt: new Date() },
  });
}

function redoCompleted(force: RunBackfillOptions["force"], row: Backfill): boolean {
  if (typeof force === "object") return row.finishedAt !== null && row.finishedAt < force.completedBefore;
  return force === true;
}

/**
 * A dead operation or an error no retry can fix marks the row failed, so the next run starts a new
 * operation. A passing error (network, database) keeps the row as it is, so the next run resumes
 * polling or importing from the last checkpoint; only the message is kept for inspection.
 */
async function recordFailure(db: Db, id: string, error: unknown, log: Logger): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const failed = error instanceof BulkOperationEndedError || !isRetryableBackfillError(error);
  log.warn("backfill.error", { error: message, failed });
  try {
    await db.backfill.update({
      where: { id },
      data: failed ? { status: "failed", error: message, finishedAt: new Date() } : { error: message },
    });
  } catch (saveError) {
    // The database may be what failed; the original error is the one worth throwing.
    log.warn("backfill.error_not_saved", { error: saveError });
  }
}
