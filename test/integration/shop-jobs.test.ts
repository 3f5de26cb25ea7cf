import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { cancelPendingShopJobs } from "../../app/lib/sync/pending-shop-jobs.server";
import { enqueueBackfill } from "../../app/lib/sync/backfill-queue.server";
import { requestListRefresh, requestTraining } from "../../app/lib/training/train-queue.server";
import { createTestPrefix } from "../helpers/test-redis";

describe("cancelPendingShopJobs (real BullMQ queues)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const backfill = createQueue(QUEUE_NAMES.backfill, redis, prefix);
  const train = createQueue(QUEUE_NAMES.train, redis, prefix);
  afterAll(async () => {
    await Promise.all([backfill.close(), train.close()]);
    redis.disconnect();
    await cleanup();
  });

  it("given an uninstalling shop with a waiting backfill, training and list refresh, removes them and leaves other shops' jobs", async () => {
    const gone = "leaving.myshopify.com";
    const staying = "staying.myshopify.com";
    const windowMs = 300_000;
    const now = Date.now();
    for (const shop of [gone, staying]) {
      await enqueueBackfill(backfill, shop);
      await requestTraining(train, shop, "install");
      // Delayed until the shop's refresh window ends: pending, as after any order.
      await requestListRefresh({ queue: train, redis, prefix }, shop, ["c1"], windowMs, now);
    }
    expect(await cancelPendingShopJobs({ backfill, train }, gone, windowMs, now)).toBe(3);
    const ids = async (queue: typeof train) =>
      (await queue.getJobs(["waiting", "delayed"])).map((j) => `${j.name} ${j.data.shop}`).sort();
    expect(await ids(backfill)).toEqual([`backfill ${staying}`]);
    expect(await ids(train)).toEqual([`refresh ${staying}`, `train ${staying}`]);
    expect(await cancelPendingShopJobs({ backfill, train }, gone, windowMs, now)).toBe(0);
  });
});
