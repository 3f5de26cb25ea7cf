import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { webhookJobId } from "../../app/lib/webhooks/webhook-queue.server";
import type { Spawned } from "../helpers/child-process";
import { delivery } from "../helpers/ingest-harness";
import { eventually, startWorkerProcess } from "../helpers/stack";
import { createTestDb, DATABASE_KINDS } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { customerPayload, orderPayload, productPayload } from "../fixtures/shopify-payloads";

const SHOP = "batch-kill.myshopify.com";
const processes: Spawned[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const p of processes.splice(0).reverse()) await p.stop("SIGKILL");
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(DATABASE_KINDS)("a batching worker killed mid-batch on %s", (kind) => {
  it("loses nothing and duplicates nothing: the next worker stores every record once", async () => {
    const t = await createTestDb(kind);
    const { prefix, cleanup } = createTestPrefix();
    cleanups.push(() => t.drop(), cleanup);
    const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const queue = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
    cleanups.push(async () => (await queue.close(), redis.disconnect()));

    // Products and customers queued as the intake queues them, all waiting before a worker starts.
    // The worker is killed mid-batch as soon as at least one whole 200-job batch is stored, so 900
    // leaves the next worker the batch cut short and more full batches after it, as 1,500 did;
    // the extra 600 only lengthened the drain (40-80 s per database in a loaded full-suite run).
    const total = 900;
    const make = [
      (i: number) => delivery(SHOP, "products/create", productPayload(100_000 + i)),
      (i: number) => delivery(SHOP, "customers/create", customerPayload(100_000 + i)),
      (i: number) => delivery(SHOP, "orders/create", orderPayload(100_000 + i)),
    ];
    const deliveries = Array.from({ length: total }, (_, i) => make[i % 3]!(i));
    await queue.addBulk(
      deliveries.map((d) => ({
        name: d.topic,
        data: d,
        opts: { jobId: webhookJobId(d.webhookId), attempts: 5, backoff: { type: "fixed", delay: 50 } },
      })),
    );
    // Short locks, so the killed worker's jobs are found stalled soon; one job at a time, so more
    // than one active job means a batch. Not 2 s: better-sqlite3 writes a batch
    // synchronously, and on a loaded machine a 2 s lock expired while a batch held the event loop,
    // so its renewal came too late and the jobs stalled twice and failed (two fresh-clone CI runs).
    const env = {
      DATABASE_URL: t.url,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: "1",
      WEBHOOK_BATCH_SIZE: "200",
      WORKER_LOCK_DURATION_MS: "15000",
      WORKER_STALLED_INTERVAL_MS: "2000",
      TRAIN_AFTER_ORDERS: "1000000",
    };
    const doomed = await startWorkerProcess(env);
    processes.push(doomed);
    let activeAtKill: string[] = [];
    await eventually(async () => {
      const active = await queue.getActive();
      if (active.length < 2 || (await queue.getCompletedCount()) < 200) return false;
      activeAtKill = active.map((j) => j.id!);
      doomed.child.kill("SIGKILL");
      return true;
    }, "a worker in the middle of a batch");
    await doomed.exited;
    expect(activeAtKill.length).toBeGreaterThan(1);
    const storedAtKill = (await t.db.product.count()) + (await t.db.customer.count()) + (await t.db.order.count());
    expect(storedAtKill).toBeLessThan(total);

    processes.push(await startWorkerProcess(env));
    await eventually(async () => (await queue.getCompletedCount()) === total, "every job to complete", 120_000);
    expect(await queue.getFailedCount()).toBe(0);
    for (const id of activeAtKill) expect(await (await queue.getJob(id))?.getState()).toBe("completed");
    expect(await t.db.product.count()).toBe(total / 3);
    expect(await t.db.variant.count()).toBe(total / 3);
    expect(await t.db.customer.count()).toBe(total / 3);
    expect(await t.db.order.count()).toBe(total / 3);
    expect(await t.db.orderLine.count()).toBe((total / 3) * 2);
    // Never counted twice towards a retrain, also for orders whose job ran again after the kill.
    const counted = (await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).ordersSinceTraining;
    expect(counted).toBeLessThanOrEqual(total / 3);
  }, 150_000);
});
