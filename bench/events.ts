/**
 * Storefront events: signed App Proxy POSTs of a block beacon batch (3 events, text/plain) to the
 * real app server at 64 in flight, beside raw BullMQ queue.add of the same batch; then the real
 * worker process storing and rolling up a backlog of batches, beside a no-op worker.
 */
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { signAppProxyQuery } from "../dev/app-proxy-signature";
import { toStorefrontEvent } from "../app/lib/events/event-id";
import { incomingEvent } from "../app/lib/events/schema";
import { createQueue, QUEUE_NAMES } from "../app/lib/queues.server";
import { storeOfflineSession } from "../test/helpers/admin-session";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { eventually, startAppProcess, startWorkerProcess } from "../test/helpers/stack";
import { BENCH_DB_DIR, createPoster, percentile, result, runConcurrent, type BenchResult } from "./lib";

const SHOP = "bench-events.myshopify.com";
const IN_FLIGHT = 64;

/** What the block sends after a shopper saw the block and clicked a product. */
function batch(i: number, at = new Date().toISOString()) {
  const visitorId = `v${String(i).padStart(31, "0")}`;
  const rec = `rec_${i % 97}`;
  return [
    { type: "impression", recommendationId: rec, at, visitorId },
    { type: "click", recommendationId: rec, productId: String(100 + (i % 50)), at, visitorId },
    { type: "add_to_cart", recommendationId: rec, productId: String(100 + (i % 50)), at, visitorId },
  ];
}

export async function benchEvents(options: { quick: boolean }): Promise<BenchResult[]> {
  const requests = options.quick ? 2_000 : 6_000;
  const t = createSqliteTestDb(BENCH_DB_DIR);
  await storeOfflineSession(t.db, SHOP);
  const { prefix, cleanup } = createTestPrefix();
  // The shop's budget is raised: this measures the route, not the flood protection.
  const env = { DATABASE_URL: t.url, QUEUE_PREFIX: prefix, LOG_LEVEL: "warn", EVENTS_PER_SHOP_PER_MINUTE: "10000000" };
  const { app, origin } = await startAppProcess({ ...env, NODE_ENV: "production" });
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  try {
    const send = createPoster(origin, IN_FLIGHT);
    const secret = process.env.SHOPIFY_API_SECRET!;
    const post = async (i: number) => {
      const query = signAppProxyQuery(new URLSearchParams(), { shop: SHOP }, secret);
      const body = JSON.stringify({ events: batch(i) });
      const status = await send(`/apps/affinity/events?${query}`, { "Content-Type": "text/plain;charset=UTF-8" }, body);
      if (status !== 202) throw new Error(`events route answered ${status}`);
    };
    // The app opens its Redis connection on the first request, which may answer 503 meanwhile.
    await eventually(
      () =>
        post(999_999).then(
          () => true,
          () => false,
        ),
      "the events route to answer 202",
    );
    await runConcurrent(300, IN_FLIGHT, (i) => post(1_000_000 + i)); // warm-up
    const route = await runConcurrent(requests, IN_FLIGHT, post);
    const queue = createQueue("bench-events-add", redis, prefix);
    const payload = { shop: SHOP, events: batch(0) };
    const reference = await runConcurrent(requests, IN_FLIGHT, async (i) => {
      await queue.add("events", payload, { jobId: `ref-${i}` });
    });
    await queue.obliterate({ force: true });
    await queue.close();
    const latencies = [...route.latenciesMs].sort((a, b) => a - b);
    const addLatencies = [...reference.latenciesMs].sort((a, b) => a - b);
    return [
      result(
        "events.throughput",
        requests / route.seconds,
        "batches/s",
        requests / reference.seconds,
        `signed App Proxy POSTs, 3 events each, ${IN_FLIGHT} in flight; reference: raw BullMQ queue.add`,
      ),
      result("events.p50_ms", percentile(latencies, 50), "ms", percentile(addLatencies, 50)),
      result("events.p99_ms", percentile(latencies, 99), "ms", percentile(addLatencies, 99)),
      ...(await benchEventsDrain(redis, env, options.quick ? 1_000 : 4_000)),
    ];
  } finally {
    await app.stop();
    redis.disconnect();
    await cleanup();
    await t.drop();
  }
}

/** Queues `total` batches (3 events each), then times the real worker process storing them. */
async function benchEventsDrain(redis: Redis, env: Record<string, string>, total: number): Promise<BenchResult[]> {
  const queue = createQueue(QUEUE_NAMES.events, redis, env.QUEUE_PREFIX!);
  const at = new Date().toISOString();
  const jobs = Array.from({ length: total }, (_, i) => ({
    name: "events",
    data: { shop: SHOP, events: batch(i, at).map((e) => toStorefrontEvent(SHOP, null, incomingEvent.parse(e))) },
  }));
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const worker = await startWorkerProcess({ ...env, LOG_LEVEL: "info", WORKER_CONCURRENCY: "8" });
  const start = performance.now();
  await eventually(
    async () => (await queue.getCompletedCount()) + (await queue.getFailedCount()) >= total,
    "the events backlog to drain",
    600_000,
  );
  const seconds = (performance.now() - start) / 1000;
  const failed = await queue.getFailedCount();
  await worker.stop();

  const noop = createQueue("bench-events-noop", redis, env.QUEUE_PREFIX!);
  for (let i = 0; i < jobs.length; i += 1000) await noop.addBulk(jobs.slice(i, i + 1000));
  let done = 0;
  const t0 = performance.now();
  const noopWorker = new Worker("bench-events-noop", async () => undefined, {
    connection: new Redis(redis.options),
    prefix: env.QUEUE_PREFIX!,
    concurrency: 8,
  });
  await new Promise<void>((resolve) => noopWorker.on("completed", () => ++done === total && resolve()));
  const noopSeconds = (performance.now() - t0) / 1000;
  await noopWorker.close();
  await noop.obliterate({ force: true });
  await noop.close();
  await queue.close();
  return [
    result(
      "events.drain_events_per_s",
      (3 * total) / seconds,
      "events/s",
      (3 * total) / noopSeconds,
      `${total} batches of 3 events stored with rollups in SQLite, ${failed} failed; reference: no-op BullMQ worker`,
    ),
  ];
}
