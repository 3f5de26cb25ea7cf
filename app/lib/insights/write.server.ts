/**
 * Writes each customer's segment tag and churn metafields to Shopify through bulk mutations, only
 * what changed since the last confirmed write (issue 21, part 4; ADR 013). Every step's outcome is
 * read back per line and recorded in CustomerInsightWrite, so a run that dies, or an operation
 * that fails halfway, leaves exactly the confirmed writes behind and the next run sends the rest.
 *
 * Budget: one bulk operation carries at most MAX_LINES changes (a metafieldsSet line is about
 * 600 bytes, so under 30 MB of JSONL, within Shopify's 100 MB staged-file limit); the job holds
 * the shop's predictions, written rows and planned changes in memory, which grows with the shop:
 * a first write of 20,000 customers (40,000 lines) raised RSS by about 120 MB, measured in a
 * test process that also ran the Admin API stand-in. Time is mostly Shopify's: each operation is
 * polled with backoff up to 30 s between polls; recording results costs a few statements per 500
 * lines.
 */
import type { InsightWriteRun } from "@prisma/client";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { loadChurnSettings } from "../churn/store.server";
import { operationFailure, pollBulkOperation } from "../sync/bulk-operation.server";
import { readResults, runBulkMutation, stageJsonl, variablesFor, type LineResult } from "./bulk-mutation.server";
import {
  CHANGE_KINDS,
  planChanges,
  type Change,
  type MetafieldValues,
  type WriteOptions,
  type WrittenRow,
} from "./plan";
import type { RecommendedLookup } from "./recommended.server";

/** Changes per bulk operation. */
export const MAX_LINES = 50_000;
/** Rows per database transaction when recording results. */
const APPLY_CHUNK = 500;

export interface RunInsightWriteOptions {
  db: Db;
  admin: AdminGraphql;
  shopId: string;
  log: Logger;
  /** First wait between polls. @defaultValue 2000 */
  pollIntervalMs?: number;
  onProgress?: (run: InsightWriteRun) => Promise<void> | void;
  /** Each customer's recommended products, for the recommended_products metafield. */
  recommended?: RecommendedLookup;
}

export async function loadWritten(db: Db, shopId: string): Promise<Map<string, WrittenRow>> {
  const rows = await db.customerInsightWrite.findMany({ where: { shopId } });
  return new Map(
    rows.map((r) => [
      r.customerShopifyId,
      {
        customerShopifyId: r.customerShopifyId,
        tag: r.tag,
        metafields: r.metafields === null ? null : (JSON.parse(r.metafields) as MetafieldValues),
        redacted: r.redacted,
        gone: r.gone,
      },
    ]),
  );
}

/**
 * The changes a write would send now: with the saved opt-ins, or with `options` (the admin's
 * preview of a change of opt-in). Recommendations are looked up only when metafields are on.
 */
export async function planForShop(
  db: Db,
  shopId: string,
  extra: { options?: WriteOptions; recommended?: RecommendedLookup } = {},
): Promise<Change[]> {
  const [options, predictions, written] = await Promise.all([
    extra.options ?? loadChurnSettings(db, shopId),
    db.churnPrediction.findMany({
      where: { shopId },
      select: { customerShopifyId: true, segment: true, risk: true, expectedNextAt: true },
      orderBy: { customerShopifyId: "asc" },
    }),
    loadWritten(db, shopId),
  ]);
  const lists =
    options.metafieldsEnabled && extra.recommended
      ? await extra.recommended(predictions.map((p) => p.customerShopifyId))
      : new Map<string, string[]>();
  const rows = predictions.map((p) => ({ ...p, recommended: lists.get(p.customerShopifyId) }));
  return planChanges(rows, written, options);
}

export const latestWriteRun = (db: Db, shopId: string) =>
  db.insightWriteRun.findFirst({ where: { shopId }, orderBy: { createdAt: "desc" } });

/**
 * Runs (or resumes) the shop's write until nothing is left to send, or only changes Shopify
 * refused for their customer in this run. Throws on an Admin API failure after recording what
 * was confirmed; the caller decides whether to retry.
 */
export async function runInsightWrite(options: RunInsightWriteOptions): Promise<InsightWriteRun> {
  const { db, shopId } = options;
  const latest = await latestWriteRun(db, shopId);
  let run = latest?.status === "running" ? latest : await db.insightWriteRun.create({ data: { shopId } });
  const refused = new Set<string>();
  try {
    // A previous attempt started an operation and did not see it end: take its results first.
    if (run.bulkOperationId && run.step && run.stepChanges) run = await finishStep(options, run, refused);
    for (;;) {
      const pending = (await planForShop(db, shopId, { recommended: options.recommended })).filter(
        (c) => !refused.has(c.customerId),
      );
      if (pending.length === 0) break;
      run = await db.insightWriteRun.update({
        where: { id: run.id },
        data: { planned: run.written + run.failed + pending.length },
      });
      for (const kind of CHANGE_KINDS) {
        // A customer Shopify refused in an earlier step of this pass (deleted) is not sent again.
        const batch = pending.filter((c) => c.kind === kind && !refused.has(c.customerId)).slice(0, MAX_LINES);
        if (batch.length === 0) continue;
        run = await startStep(options, run, kind, batch);
        run = await finishStep(options, run, refused);
      }
    }
    await forgetEmptyRows(db, shopId);
    run = await db.insightWriteRun.update({
      where: { id: run.id },
      data: { status: "completed", finishedAt: new Date(), error: null },
    });
    await options.onProgress?.(run);
    options.log.info("insights.written", { written: run.written, failed: run.failed });
    return run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.insightWriteRun.update({ where: { id: run.id }, data: { error: message } });
    throw error;
  }
}

/** Marks the run failed for good: a later run starts afresh from what is confirmed. */
export async function failWriteRun(db: Db, shopId: string, message: string): Promise<void> {
  await db.insightWriteRun.updateMany({
    where: { shopId, status: "running" },
    data: { status: "failed", error: message, finishedAt: new Date(), bulkOperationId: null, stepChanges: null },
  });
}

async function startStep(options: RunInsightWriteOptions, run: InsightWriteRun, kind: Change["kind"], batch: Change[]) {
  const jsonl = batch.map((c) => JSON.stringify(variablesFor(c))).join("\n") + "\n";
  const path = await stageJsonl(options.admin, jsonl);
  const operationId = await runBulkMutation(options.admin, kind, path);
  options.log.info("insights.step_started", { kind, lines: batch.length, operationId });
  const updated = await options.db.insightWriteRun.update({
    where: { id: run.id },
    data: { step: kind, bulkOperationId: operationId, stepChanges: JSON.stringify(batch), objectCount: 0 },
  });
  await options.onProgress?.(updated);
  return updated;
}

async function finishStep(options: RunInsightWriteOptions, run: InsightWriteRun, refused: Set<string>) {
  const { db } = options;
  const op = await pollBulkOperation(options.admin, run.bulkOperationId!, {
    intervalMs: options.pollIntervalMs,
    onCount: async ({ objectCount }) =>
      options.onProgress?.(await db.insightWriteRun.update({ where: { id: run.id }, data: { objectCount } })),
  });
  const changes = JSON.parse(run.stepChanges!) as Change[];
  const url = op.url ?? op.partialDataUrl;
  // A completed operation of zero lines has no file; a failed one may have a partial one.
  const results = url ? await readResults(url, changes[0]!.kind) : [];
  const outcome = await applyResults(db, run.shopId, changes, results, refused);
  const updated = await db.insightWriteRun.update({
    where: { id: run.id },
    data: {
      written: { increment: outcome.written },
      failed: { increment: outcome.failed },
      step: null,
      bulkOperationId: null,
      stepChanges: null,
    },
  });
  await options.onProgress?.(updated);
  if (op.status !== "COMPLETED") throw operationFailure(op);
  return updated;
}

type RowData = { tag?: string | null; metafields?: string | null; gone?: boolean; lastError: string | null };

/**
 * Records each confirmed line as written, and each refused one with Shopify's reason. Per chunk:
 * customers without a row are created in one statement, and rows getting the same data (a tag,
 * an error) are updated together, so a first write of many customers costs few statements.
 */
async function applyResults(
  db: Db,
  shopId: string,
  changes: Change[],
  results: LineResult[],
  refused: Set<string>,
): Promise<{ written: number; failed: number }> {
  let written = 0;
  let failed = 0;
  // A change with no line in the results (a partial file) is sent again by the next run, not this one.
  const answered = new Set(results.map((r) => r.line));
  changes.forEach((c, line) => {
    if (!answered.has(line)) refused.add(c.customerId);
  });
  for (let i = 0; i < results.length; i += APPLY_CHUNK) {
    const rows = new Map<string, RowData>();
    for (const result of results.slice(i, i + APPLY_CHUNK)) {
      const change = changes[result.line];
      if (!change) continue;
      if (result.ok) written += 1;
      else {
        failed += 1;
        refused.add(change.customerId);
      }
      rows.set(
        change.customerId,
        result.gone
          ? { gone: true, tag: null, metafields: null, lastError: result.error }
          : result.ok
            ? { ...confirmed(change), lastError: null }
            : { lastError: result.error },
      );
    }
    await saveRows(db, shopId, rows);
  }
  return { written, failed };
}

async function saveRows(db: Db, shopId: string, rows: Map<string, RowData>): Promise<void> {
  const ids = [...rows.keys()];
  const existing = new Set(
    (
      await db.customerInsightWrite.findMany({
        where: { shopId, customerShopifyId: { in: ids } },
        select: { customerShopifyId: true },
      })
    ).map((r) => r.customerShopifyId),
  );
  const creates = ids
    .filter((id) => !existing.has(id))
    .map((id) => ({ shopId, customerShopifyId: id, ...rows.get(id)! }));
  const groups = new Map<string, string[]>();
  for (const id of ids.filter((id) => existing.has(id))) {
    const key = JSON.stringify(rows.get(id));
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  await db.$transaction([
    ...(creates.length > 0 ? [db.customerInsightWrite.createMany({ data: creates })] : []),
    ...[...groups].map(([data, group]) =>
      db.customerInsightWrite.updateMany({
        where: { shopId, customerShopifyId: { in: group } },
        data: JSON.parse(data) as RowData,
      }),
    ),
  ]);
}

function confirmed(change: Change): { tag?: string | null; metafields?: string | null } {
  switch (change.kind) {
    case "tagsRemove":
      return { tag: null };
    case "tagsAdd":
      return { tag: change.tags[0] ?? null };
    case "metafieldsDelete":
      return { metafields: null };
    case "metafieldsSet":
      return { metafields: JSON.stringify(change.values) };
  }
}

/** Rows with nothing written and nothing to report go; a redacted customer's id is not kept a moment longer. */
async function forgetEmptyRows(db: Db, shopId: string): Promise<void> {
  await db.customerInsightWrite.deleteMany({
    where: {
      shopId,
      tag: null,
      metafields: null,
      OR: [{ gone: false, lastError: null }, { redacted: true }],
    },
  });
}
