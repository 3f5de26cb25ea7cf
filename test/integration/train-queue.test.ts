import { afterAll, describe, expect, it } from "vitest";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { createQueue } from "../../app/lib/jobs/queues";
import { acquireShopLock } from "../../app/lib/training/shop-lock.server";
import { requestTraining, trainJobId } from "../../app/lib/training/train-queue.server";
import { eventually } from "../helpers/stack";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "trainer.myshopify.com";
const redisUrl = process.env.REDIS_URL!;

describe("training requests: at most one running and one waiting per shop", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = createQueue("train", redis, prefix);
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await cleanup();
  });

  const count = () => queue.getJobCountByTypes("waiting", "active", "delayed");

  it("joins a waiting request instead of adding another", async () => {
    const first = await requestTraining(queue, SHOP, "install");
    const second = await requestTraining(queue, SHOP, "orders");
    expect(second.id).toBe(first.id);
    expect(first.id).toBe(trainJobId(SHOP, "a"));
    expect(await count()).toBe(1);
    expect(await requestTraining(queue, "other.myshopify.com", "manual")).toBeDefined();
    expect(await count()).toBe(2);
  });

  it("queues one follow-up while a run is active, and a fresh one after both finish", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const worker = new Worker(
      "train",
      async (job: Job) => {
        started.push(job.id!);
        if (job.id === trainJobId(SHOP, "a")) await gate;
      },
      { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 1, autorun: true },
    );
    await eventually(async () => started.includes(trainJobId(SHOP, "a")), "the first run to start");
    const followUp = await requestTraining(queue, SHOP, "orders");
    expect(followUp.id).toBe(trainJobId(SHOP, "b"));
    expect((await requestTraining(queue, SHOP, "manual")).id).toBe(followUp.id);
    release();
    await eventually(async () => (await queue.getCompletedCount()) >= 3, "all runs to finish");
    // Stop the worker first, or it may take the fresh job before we look at it.
    await worker.close();
    const fresh = await requestTraining(queue, SHOP, "schedule");
    expect(await fresh.getState()).toBe("waiting");
  });

  it("refuses bad input", async () => {
    await expect(requestTraining(queue, "not a shop", "manual")).rejects.toThrow();
  });
});

describe("acquireShopLock", () => {
  it("lets one holder in at a time and only the holder release it", async () => {
    const redis = new Redis(redisUrl);
    const key = `${createTestPrefix().prefix}:lock`;
    const release = await acquireShopLock(redis, key, 5_000);
    expect(release).not.toBeNull();
    expect(await acquireShopLock(redis, key, 5_000)).toBeNull();
    await release!();
    const again = await acquireShopLock(redis, key, 5_000);
    expect(again).not.toBeNull();
    await again!();
    expect(await redis.exists(key)).toBe(0);
    redis.disconnect();
  });
});
