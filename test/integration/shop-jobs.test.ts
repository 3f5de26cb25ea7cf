import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { cancelPendingShopJobs } from "../../app/lib/sync/pending-shop-jobs.server";
import { enqueueBackfill } from "../../app/lib/sync/backfill-queue.server";
import { requestTraining } from "../../app/lib/training/train-queue.server";
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

  it("given an uninstalling shop with a waiting backfill and training, removes them and leaves other shops' jobs", async () => {
    const gone = "leaving.myshopify.com";
    const staying = "staying.myshopify.com";
    for (const shop of [gone, staying]) {
      await enqueueBackfill(backfill, shop);
      await requestTraining(train, shop, "install");
    }
    expect(await cancelPendingShopJobs({ backfill, train }, gone)).toBe(2);
    const ids = async (queue: typeof train) => (await queue.getJobs(["waiting", "delayed"])).map((j) => j.data.shop);
    expect(await ids(backfill)).toEqual([staying]);
    expect(await ids(train)).toEqual([staying]);
    expect(await cancelPendingShopJobs({ backfill, train }, gone)).toBe(0);
  });
});
