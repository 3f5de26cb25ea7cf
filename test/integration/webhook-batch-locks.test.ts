import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createStorefrontSync } from "../../app/lib/storefront-store/worker-sync.server";
import { webhookJobId } from "../../app/lib/webhooks/webhook-queue.server";
import { createBatchedWebhookProcessor, createJobPuller, type JobPuller } from "../../workers/processors/webhook-batch";
import { startWorkers } from "../../workers/run-workers";
import { delivery } from "../helpers/ingest-harness";
import { eventually } from "../helpers/stack";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { productPayload } from "../fixtures/shopify-payloads";

const SHOP = "batch-locks.myshopify.com";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A queue and a puller on a prefix of the test's own, with short locks so expiry is seen quickly. */
function setup(lockDurationMs: number) {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queue = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
  const puller = createJobPuller(QUEUE_NAMES.webhooks, {
    connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }),
    prefix,
    log: createLogger("silent"),
    lockDurationMs,
  });
  cleanups.push(cleanup, async () => (await puller.close(), await queue.close(), redis.disconnect()));
  const lockOf = (job: Job) => redis.get(`${prefix}:${QUEUE_NAMES.webhooks}:${job.id}:lock`);
  const add = (n: number) =>
    queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: "products/update", data: { n: i } })));
  return { queue, puller, prefix, lockOf, add };
}

async function take(puller: JobPuller, token: string): Promise<Job> {
  const job = await puller.next(token);
  if (!job) throw new Error("no waiting job to take");
  return job;
}

describe("jobs taken by hand for a batch", () => {
  it("keep their lock past the lock duration while held; a job not held loses it", async () => {
    const { puller, lockOf, add } = setup(1_000);
    await add(3);
    const [a, b, notHeld] = [await take(puller, "hold"), await take(puller, "hold"), await take(puller, "hold")];
    const held = puller.holdLocks([a, b], "hold");
    cleanups.push(async () => held.stop());

    await eventually(async () => (await lockOf(notHeld)) === null, "the unheld job's lock to expire");
    expect([await lockOf(a), await lockOf(b)]).toEqual(["hold", "hold"]);
    held.stop();
    await a.moveToCompleted({ ok: true }, "hold", false);
    expect(await a.getState()).toBe("completed");
  });

  it("an orphan (moved to active under the batch's token, never handed to it) goes back to waiting", async () => {
    const { puller, queue, add } = setup(60_000);
    await add(3);
    const held = await take(puller, "batch-1");
    const orphan = await take(puller, "batch-1"); // as if its reply had been lost
    const others = await take(puller, "batch-2");

    expect(await puller.releaseOrphans("batch-1", new Set([held.id!]))).toBe(1);
    expect(await queue.getJobState(orphan.id!)).toBe("waiting");
    expect(await queue.getJobState(held.id!)).toBe("active");
    expect(await queue.getJobState(others.id!)).toBe("active");
    // It can be taken again, by whichever batch comes next.
    expect((await take(puller, "batch-3")).id).toBe(orphan.id);
  });

  it("a batch whose take lost its reply across a reconnect still stores every delivery, without waiting for the stalled-job check", async () => {
    const t = createSqliteTestDb();
    cleanups.push(() => t.drop());
    const { queue, puller, prefix } = setup(120_000);
    // The connection drops during the second take: Redis moved a job to active, the reply was
    // lost, and ioredis sent the command again, which took the next job.
    let takes = 0;
    let closes = 0;
    const flaky: JobPuller = {
      ...puller,
      next: async (token) => {
        if (++takes === 2) {
          await puller.next(token);
          closes++;
        }
        return puller.next(token);
      },
      disconnects: () => closes,
    };
    const deliveries = Array.from({ length: 6 }, (_, i) => delivery(SHOP, "products/update", productPayload(500 + i)));
    await queue.addBulk(
      deliveries.map((d) => ({ name: d.topic, data: d, opts: { jobId: webhookJobId(d.webhookId) } })),
    );

    const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const workers = startWorkers(
      {
        [QUEUE_NAMES.webhooks]: createBatchedWebhookProcessor({
          puller: flaky,
          db: t.db,
          log: createLogger("silent"),
          removeShopSchedules: async () => 0,
          requestTraining: async () => undefined,
          trainAfterOrders: 1_000,
          forgetShop: async () => undefined,
          storefront: createStorefrontSync(t.db, redis, prefix),
        }),
      },
      // Locks and stalled checks far longer than the wait below: only the release can bring the orphan back.
      { redisUrl: process.env.REDIS_URL!, prefix, concurrency: 1, lockDurationMs: 120_000, stalledIntervalMs: 120_000 },
      createLogger("silent"),
    );
    cleanups.push(async () => (await workers.close(5_000), redis.disconnect()));

    await eventually(async () => (await queue.getCompletedCount()) === deliveries.length, "every job to complete");
    expect(await t.db.product.count()).toBe(deliveries.length);
    expect(await queue.getActiveCount()).toBe(0);
  });
});
