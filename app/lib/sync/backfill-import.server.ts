import type { Backfill } from "@prisma/client";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { BackfillError } from "./backfill-errors";
import { splitLines } from "./bulk-jsonl";
import type { BackfillResource } from "./bulk-queries";
import { orderRecordReader, productRecordReader, type RecordReader } from "./bulk-records";
import { applyOrder } from "./store-orders.server";
import { applyProduct } from "./store-products.server";

export interface ImportContext {
  db: Db;
  shopId: string;
  resource: BackfillResource;
  row: Backfill;
  log: Logger;
  /** Save progress after at least this many lines. @defaultValue 500 */
  checkpointEveryLines?: number;
  onProgress: (row: Backfill) => Promise<void>;
}

/** Applies one line and reports the last line of a record it finished applying, if any. */
interface LineSink {
  push(line: string): Promise<number | undefined>;
  end(): Promise<number | undefined>;
}

function applying<R>(reader: RecordReader<R>, apply: (record: R) => Promise<unknown>): LineSink {
  const finish = async (read: { record: R; lastLine: number } | undefined) => {
    if (!read) return undefined;
    await apply(read.record);
    return read.lastLine;
  };
  return { push: (line) => finish(reader.push(line)), end: () => finish(reader.end()) };
}

function sinkFor({ db, shopId, resource }: ImportContext, skipLines: number): LineSink {
  return resource === "products"
    ? applying(productRecordReader(skipLines), (record) => applyProduct(db, shopId, record))
    : applying(orderRecordReader(skipLines), (record) => applyOrder(db, shopId, record));
}

/**
 * Streams a completed operation's JSONL into the database, skipping the lines an earlier run
 * already applied. Progress is saved only at record boundaries, so after a crash the import
 * resumes at most `checkpointEveryLines` lines back; re-applying those is harmless because
 * applyProduct/applyOrder ignore versions they already hold.
 */
export async function importBulkResult(ctx: ImportContext, url: string | null | undefined): Promise<Backfill> {
  const { db, row } = ctx;
  if (!url) return finish(ctx, row.linesImported, row.recordsImported); // zero objects: Shopify gives no file

  // A signed storage URL: fetched without the access token, which must only ever go to Shopify.
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new BackfillError(`downloading the bulk result failed with HTTP ${response.status}`, true);
  }
  const every = ctx.checkpointEveryLines ?? 500;
  const sink = sinkFor(ctx, row.linesImported);
  let lines = 0;
  let records = row.recordsImported;
  let applied = row.linesImported;
  let saved = row.linesImported;
  const afterApply = async (lastLine: number | undefined) => {
    if (lastLine === undefined) return;
    records += 1;
    applied = lastLine;
    if (applied - saved < every) return;
    saved = applied;
    const updated = await db.backfill.update({
      where: { id: row.id },
      data: { linesImported: applied, recordsImported: records },
    });
    await ctx.onProgress(updated);
  };

  for await (const line of splitLines(chunksOf(response.body))) {
    lines += 1;
    await afterApply(await sink.push(line));
  }
  await afterApply(await sink.end());
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
