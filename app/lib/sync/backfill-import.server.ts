import type { Backfill } from "@prisma/client";
import { databaseKind, type Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { BackfillError } from "./backfill-errors";
import { splitLines } from "./bulk-jsonl";
import type { BackfillResource } from "./bulk-queries";
import { orderRecordReader, productRecordReader, type RecordReader } from "./bulk-records";
import { writeRecordBatch, type BatchWrite } from "./batch-records.server";
import type { OrderRecord, ProductRecord } from "./records";

/**
 * The peak RSS a worker process running a backfill stays under, whatever the shop's size (checked
 * by `npm run bench -- backfill`). The import holds three batches at a time (one being read, two
 * being written): at most `checkpointEveryLines` lines each (5,000 by default), their parsed
 * records and one statement's parameters, a few MB for the largest Shopify lines; the download
 * is read chunk by chunk and never held. The rest is the worker itself (Node, Prisma's engine,
 * BullMQ; about 190 MB idle) and garbage V8 has not yet collected: at 20,000 orders the bench
 * measured about 500 MB, level from the file's first half to its second.
 */
export const BACKFILL_WORKER_RSS_BUDGET_MB = 640;

/**
 * Batches written at once on PostgreSQL (see importBulkResult); with the one being read, the
 * import's memory bound. SQLite has one writer, so there a batch waits for the one before.
 */
const writesInFlight = (db: Db) => (databaseKind(db) === "postgres" ? 2 : 1);

/** A backfill batch's transaction limit, its own writes and the wait for the batch before it. */
const BATCH_TRANSACTION_TIMEOUT_MS = 60_000;

export interface ImportContext {
  db: Db;
  shopId: string;
  resource: BackfillResource;
  row: Backfill;
  log: Logger;
  /**
   * Lines buffered before they are written in one transaction and progress is saved: the batch
   * size, and with the longest line a record may have, the import's memory bound. @defaultValue 5000
   */
  checkpointEveryLines?: number;
  onProgress: (row: Backfill) => Promise<void>;
}

/** Reads one resource's records line by line, each with the last line it came from. */
function readerFor(resource: BackfillResource, skipLines: number): RecordReader<ProductRecord | OrderRecord> {
  return resource === "products" ? productRecordReader(skipLines) : orderRecordReader(skipLines);
}

function toWrite(resource: BackfillResource, shopId: string, record: ProductRecord | OrderRecord): BatchWrite {
  return resource === "products"
    ? { kind: "product", shopId, record: record as ProductRecord }
    : { kind: "order", shopId, record: record as OrderRecord };
}

/**
 * Streams a completed operation's JSONL into the database, skipping the lines an earlier run
 * already applied. Records are buffered until `checkpointEveryLines` lines, then written in one
 * transaction with multi-row upserts (writeRecordBatch, docs/decisions/014) and progress is saved
 * at that batch's last record, in the batch's own transaction. While batches are written the next one
 * is read, so memory is bounded by three batches whatever the file's size, and a crash resumes after
 * the last committed batch. Re-writing rows is
 * harmless because the upserts ignore versions already stored.
 */
export async function importBulkResult(ctx: ImportContext, url: string | null | undefined): Promise<Backfill> {
  const { db, row } = ctx;
  if (!url) return finish(ctx, row.linesImported, row.recordsImported); // zero objects: Shopify gives no file

  // A signed storage URL: fetched without the access token, which must only ever go to Shopify.
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new BackfillError(`downloading the bulk result failed with HTTP ${response.status}`, true);
  }
  const every = ctx.checkpointEveryLines ?? 5_000;
  const reader = readerFor(ctx.resource, row.linesImported);
  let lines = 0;
  let records = row.recordsImported;
  let applied = row.linesImported;
  let pending: BatchWrite[] = [];
  let pendingLast = applied;
  /** The last line, and the record count, of the batches handed to the database so far. */
  let queued = applied;
  let queuedRecords = records;
  /** The batches being written, in file order; a rejection is thrown where it is next awaited. */
  const writing: Array<Promise<void>> = [];
  const inFlight = writesInFlight(db);
  const commit = async (batch: BatchWrite[], last: number, total: number, before: Promise<void>) => {
    let updated: Backfill | undefined;
    await writeRecordBatch(db, batch, {
      // The wait for the batch before counts against the transaction's time: Prisma's 5 s default
      // would leave a slow database little room for two batches.
      timeoutMs: BATCH_TRANSACTION_TIMEOUT_MS,
      // The checkpoint commits with the batch's rows, so a resume never skips rows or repeats more
      // than a batch. It waits for the batch before to commit: checkpoints commit in file order, and
      // a failed batch before rolls this one back too.
      beforeCommit: async (tx) => {
        await before;
        updated = await tx.backfill.update({
          where: { id: row.id },
          data: { linesImported: last, recordsImported: total },
        });
      },
    });
    records = total;
    applied = last;
    await ctx.onProgress(updated!);
  };
  // The next batch is read and parsed while earlier ones are written, and on PostgreSQL two batches
  // are in the database at once (each on its own connection): one batch alone left PostgreSQL idle
  // between its statements while the Node process built the next one (ADR 014, "Backfill").
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    const last = pendingLast;
    pending = [];
    queued = last;
    queuedRecords += batch.length;
    while (writing.length >= inFlight) await writing.shift();
    const write = commit(batch, last, queuedRecords, writing.at(-1) ?? Promise.resolve());
    write.catch(() => undefined);
    writing.push(write);
  };
  const take = async (read: { record: ProductRecord | OrderRecord; lastLine: number } | undefined) => {
    if (!read) return;
    pending.push(toWrite(ctx.resource, ctx.shopId, read.record));
    pendingLast = read.lastLine;
    if (pendingLast - queued >= every) await flush();
  };

  try {
    for await (const line of splitLines(chunksOf(response.body))) {
      lines += 1;
      await take(reader.push(line));
    }
    await take(reader.end());
    await flush();
    for (const write of writing) await write;
  } catch (error) {
    // Settle the batches in flight first, so no checkpoint is saved after the failure is reported.
    await Promise.allSettled(writing);
    throw error;
  }
  if (lines < row.objectCount) ctx.log.warn("backfill.short_result", { lines, objectCount: row.objectCount });
  return finish(ctx, Math.max(lines, applied), records);
}

/**
 * Reads a web stream chunk by chunk, naming a broken-off download as such (undici only says
 * "terminated"), and cancels the stream if the import stops early, freeing the connection.
 */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const read = () =>
    reader.read().catch((error: Error) => {
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      throw new BackfillError(`the bulk result download broke off (${reason})`, true, { cause: error });
    });
  try {
    for (let next = await read(); !next.done; next = await read()) yield next.value;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function finish(ctx: ImportContext, linesImported: number, recordsImported: number): Promise<Backfill> {
  const done = await ctx.db.backfill.update({
    where: { id: ctx.row.id },
    data: { status: "completed", linesImported, recordsImported, error: null, finishedAt: new Date() },
  });
  ctx.log.info("backfill.completed", { linesImported, recordsImported });
  await ctx.onProgress(done);
  return done;
}
