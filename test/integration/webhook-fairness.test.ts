import type { Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createStorefrontSync } from "../../app/lib/storefront-store/worker-sync.server";
import { createWebhookProcessor } from "../../workers/processors/webhooks";
import { startWorkers } from "../../workers/run-workers";
import type { Spawned } from "../helpers/child-process";
import { eventually, startAppProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { deliverWebhook, signWebhook } from "../helpers/webhooks";
import { productPayload } from "../fixtures/shopify-payloads";

const BIG = "flood.myshopify.com";
const SMALL = "quiet.myshopify.com";
const FLOOD = 300;

// docs/decisions/010: a shop's deliveries are queued with their rank in the shop's window as
// priority, so a quiet shop's webhook waits behind a few of a flooding shop's, not all of them.
describe("fair intake across shops (the built app, the real queue and ingest processor)", () => {
  let t: TestDb;
  let app: Spawned;
  let origin: string;
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });

  beforeAll(async () => {
    t = createSqliteTestDb();
    ({ app, origin } = await startAppProcess({ DATABASE_URL: t.url, QUEUE_PREFIX: prefix }));
  });
  afterAll(async () => {
    await app?.stop();
    redis.disconnect();
    await t.drop();
    await cleanup();
  });

  const send = async (shop: string, id: number) => {
    const webhook = signWebhook({ topic: "products/update", shop, payload: productPayload(id) });
    expect((await deliverWebhook(origin, webhook)).status).toBe(200);
  };

  it("serves a quiet shop's webhooks among the first few of a 300-webhook flood queued before them", async () => {
    for (let i = 0; i < FLOOD; i += 30) await Promise.all(Array.from({ length: 30 }, (_, k) => send(BIG, i + k + 1)));
    for (let i = 1; i <= 3; i++) await send(SMALL, i);

    // One job at a time, so the order the worker takes jobs in is the order they are processed.
    const order: Array<{ shop: string; priority: number }> = [];
    const ingest = createWebhookProcessor({
      db: t.db,
      log: createLogger("silent"),
      removeShopSchedules: async () => 0,
      requestTraining: async () => undefined,
      trainAfterOrders: 1_000,
      forgetShop: async () => undefined,
      storefront: createStorefrontSync(t.db, redis, prefix),
    });
    const workers = startWorkers(
      {
        [QUEUE_NAMES.webhooks]: async (job: Job) => (
          order.push({ shop: job.data.shop, priority: job.opts.priority ?? 0 }),
          ingest(job)
        ),
      },
      { redisUrl: process.env.REDIS_URL!, prefix, concurrency: 1 },
      createLogger("silent"),
    );
    try {
      await eventually(async () => order.length === FLOOD + 3, "every webhook to be processed");
    } finally {
      await workers.close(5_000);
    }
    const lastSmall = order.map((j) => j.shop).lastIndexOf(SMALL);
    // Priorities 1, 2, 3 of the quiet shop sit beside the flood's 1, 2, 3 (equal ranks go in
    // arrival order): the quiet shop is done by the 6th job, not the 303rd. Ranks start again
    // each minute, so a flood that straddles a minute has up to twice as many jobs ranked 1 to 3:
    // the quiet shop is done within the jobs ranked no lower than its own.
    const quietRank = Math.max(...order.filter((j) => j.shop === SMALL).map((j) => j.priority));
    const ahead = order.filter((j) => j.priority <= quietRank).length;
    expect(quietRank).toBe(3);
    expect(lastSmall).toBeLessThan(ahead);
    expect(ahead).toBeLessThanOrEqual(9);
    expect(await t.db.product.count({ where: { shop: { domain: SMALL } } })).toBe(3);
    const queue = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
    expect(await queue.getFailedCount()).toBe(0);
    await queue.close();
  });
});
