/**
 * Child of `npm run bench -- backfill`: the backfill worker alone in its process, so that its peak
 * RSS is the import's own and not the stand-in's or the generator's. It runs the real processor
 * (workers/processors/backfill.ts) under a BullMQ worker on a real queue, against the Admin API
 * stand-in the parent started (reached through test/helpers/shopify-network-preload.ts), and
 * prints one JSON line: the timings of each phase, taken from the job's own progress reports.
 */
import { Worker } from "bullmq";
import { z } from "zod";
import { createDb } from "../../app/lib/database/client.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createLogger } from "../../app/lib/logger.server";
import { createRedis } from "../../app/lib/redis.server";
import { createOfflineTokens } from "../../app/lib/shopify/offline-tokens.server";
import { tokenApi, type TokenApiConfig } from "../../app/lib/shopify/shopify-api.server";
import { createBackfillProcessor, enqueueBackfill, type BackfillResult } from "../../workers/processors/backfill";

const env = z
  .object({
    DATABASE_URL: z.string().min(1),
    REDIS_URL: z.string().min(1),
    BENCH_PREFIX: z.string().min(1),
    BENCH_SHOP: z.string().min(1),
    BENCH_NOW: z.coerce.date(),
    BENCH_MONTHS: z.coerce.number().int().positive(),
  })
  .parse(process.env);

/** Peak RSS so far, in MB: ru_maxrss is in kB on Linux. */
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** The highest RSS seen in the first and in the second half of the file's lines. */
function halves(samples: Array<{ lines: number; rssMb: number }>) {
  const middle = (samples.at(-1)?.lines ?? 0) / 2;
  const max = (list: typeof samples) => (list.length > 0 ? Math.max(...list.map((s) => s.rssMb)) : null);
  return {
    rssFirstHalfMb: max(samples.filter((s) => s.lines <= middle)),
    rssSecondHalfMb: max(samples.filter((s) => s.lines > middle)),
  };
}

async function main() {
  const log = createLogger("warn", { service: "bench-backfill" });
  const db = createDb(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, "worker");
  const tokens = createOfflineTokens({
    db,
    redis,
    prefix: env.BENCH_PREFIX,
    api: tokenApi(process.env as unknown as TokenApiConfig),
  });
  const marks: Record<string, number> = {};
  /**
   * RSS at each checkpoint of the orders import. Memory bounded by a batch shows as the same
   * level in the file's second half as in its first; memory that grew with the file would not.
   */
  const samples: Array<{ lines: number; rssMb: number }> = [];
  const mark = (name: string) => (marks[name] ??= performance.now());
  const processor = createBackfillProcessor({
    db,
    log,
    tokens,
    months: env.BENCH_MONTHS,
    pollIntervalMs: 5,
    now: () => env.BENCH_NOW,
  });
  const queue = createQueue(QUEUE_NAMES.backfill, redis, env.BENCH_PREFIX);
  const worker = new Worker(QUEUE_NAMES.backfill, processor, {
    connection: createRedis(env.REDIS_URL, "worker"),
    prefix: env.BENCH_PREFIX,
    // A checkpoint per batch keeps the job's lock renewed; the default 30 s is plenty.
    autorun: false,
  });
  worker.on("progress", (_job, progress) => {
    const p = progress as BackfillResult;
    if (p.orders?.status === "importing") {
      mark("ordersImporting");
      if (p.orders.linesImported > 0)
        samples.push({ lines: p.orders.linesImported, rssMb: process.memoryUsage().rss / 2 ** 20 });
    }
    if (p.orders?.status === "completed") mark("ordersCompleted");
  });
  const started = performance.now();
  const job = await enqueueBackfill(queue, env.BENCH_SHOP);
  const finished = new Promise<BackfillResult>((resolve, reject) => {
    worker.on("completed", (done, result: BackfillResult) => done.id === job.id && resolve(result));
    worker.on("failed", (failed, error) => failed?.id === job.id && reject(error));
  });
  void worker.run();
  const result = await finished;
  const ended = performance.now();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await db.$disconnect();
  process.stdout.write(
    JSON.stringify({
      result,
      wallSeconds: (ended - started) / 1000,
      ordersImportSeconds: ((marks.ordersCompleted ?? ended) - (marks.ordersImporting ?? started)) / 1000,
      peakRssMb: peakRssMb(),
      ...halves(samples),
    }) + "\n",
    // The Shopify library and ioredis may keep handles open; the report is all the parent waits for.
    () => process.exit(0),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
