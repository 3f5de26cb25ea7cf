/**
 * Storefront events: signed App Proxy POSTs of a block beacon batch (3 events, text/plain) to the
 * real app server at 64 in flight, beside raw BullMQ queue.add of the same batch; then the real
 * worker process storing and rolling up a backlog of batches, beside a no-op worker.
 */
import { Redis } from "ioredis";
import { signAppProxyQuery } from "../dev/app-proxy-signature";
import { toStorefrontEvent } from "../app/lib/events/event-id";
import { incomingEvent } from "../app/lib/events/event-schema";
import { createQueue, QUEUE_NAMES } from "../app/lib/jobs/queues";
import { storeOfflineSession } from "../test/helpers/admin-session";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { eventually, startAppProcess, startWorkerProcess } from "../test/helpers/stack";
import { APP_PROCESSES, BENCH_DB_DIR, percentile, result, runConcurrent, type BenchResult } from "./lib";
import { loadGenerator, measureLoad, type LoadRequest } from "./load";
import { timeDrain, timeNoopDrain } from "./drain";
import { recordInstall } from "../app/lib/shops/registry.server";

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
  const requests = options.quick ? 4_000 : 20_000;
  const seconds = options.quick ? 2 : 4;
  const t = createSqliteTestDb(BENCH_DB_DIR);
  await storeOfflineSession(t.db, SHOP);
  await recordInstall(t.db, SHOP);
  const { prefix, cleanup } = createTestPrefix();
  // The shop's and visitors' budgets are raised: this measures the route, not the flood protection.
  const env = {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    EVENTS_PER_SHOP_PER_MINUTE: "10000000",
    EVENTS_PER_VISITOR_PER_MINUTE: "1000",
  };
  const { app, origin } = await startAppProcess({ ...APP_PROCESSES, ...env, NODE_ENV: "production" });
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  try {
    const secret = process.env.SHOPIFY_API_SECRET!;
    const headers = { "Content-Type": "text/plain;charset=UTF-8" };
    const path = () => `/apps/affinity/events?${signAppProxyQuery(new URLSearchParams(), { shop: SHOP }, secret)}`;
    // Distinct batches from distinct visitors: a repeated batch would be a duplicate, dropped early.
    const round = (count: number, from: number, seconds: number) => {
      const signedPath = path(); // signed per round: Shopify's signatures expire after 90 s
      const requests = Array.from({ length: count }, (_, i): LoadRequest => ({
        method: "POST",
        path: signedPath,
        headers,
        body: JSON.stringify({ events: batch(from + i) }),
      }));
      return measureLoad(origin, requests, IN_FLIGHT, seconds);
    };
    // The app opens its Redis connection on the first request, which may answer 503 meanwhile.
    const probe = JSON.stringify({ events: batch(999_999) });
    await eventually(
      async () => (await fetch(origin + path(), { method: "POST", headers, body: probe })).status === 202,
      "the events route to answer 202",
    );
    await round(300, 1_000_000, 1); // warm-up
    const route = await round(requests, 0, seconds);
    const queue = createQueue("bench-events-add", redis, prefix);
    const payload = { shop: SHOP, events: batch(0) };
    const reference = await runConcurrent(requests, IN_FLIGHT, async (i) => {
      await queue.add("events", payload, { jobId: `ref-${i}` });
    });
    await queue.obliterate({ force: true });
    await queue.close();
    const addLatencies = [...reference.latenciesMs].sort((a, b) => a - b);
    return [
      result(
        "events.throughput",
        route.requests / route.seconds,
        "batches/s",
        requests / reference.seconds,
        `signed App Proxy POSTs, 3 events each, ${IN_FLIGHT} in flight, load from ${loadGenerator()}; ` +
          `reference: raw BullMQ queue.add`,
      ),
      result("events.p50_ms", route.p50Ms, "ms", percentile(addLatencies, 50)),
      result("events.p99_ms", route.p99Ms, "ms", percentile(addLatencies, 99)),
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
  const { seconds, failed } = await timeDrain(queue, total, "the events backlog to drain");
  await worker.stop();
  const noopSeconds = await timeNoopDrain(redis, env.QUEUE_PREFIX!, "bench-events-noop", jobs);
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
