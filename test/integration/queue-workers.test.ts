import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue } from "../../app/lib/jobs/queues";
import { createRedis } from "../../app/lib/redis.server";
import { createSystemProcessor } from "../../workers/processors/system";

const processSystemJob = createSystemProcessor({ requestTraining: async () => undefined });
import { startWorkers } from "../../workers/run-workers";
import { createTestPrefix } from "../helpers/test-redis";

const redisUrl = process.env.REDIS_URL!;
const log = createLogger("silent");

describe("queue and workers on a real Redis", () => {
  let prefix: string;
  let cleanup: () => Promise<void>;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(() => {
    ({ prefix, cleanup } = createTestPrefix());
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await cleanup();
  });

  function openQueue(name: string) {
    const connection = createRedis(redisUrl, "worker");
    const queue = createQueue(name, connection, prefix);
    const events = new QueueEvents(name, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    closers.push(async () => {
      await events.close();
      await queue.close();
      connection.disconnect();
    });
    return { queue, events };
  }

  it("a ping job added by a producer is answered by a worker", async () => {
    const { queue, events } = openQueue("system");
    const workers = startWorkers({ system: processSystemJob }, { redisUrl, prefix, concurrency: 1 }, log);
    closers.push(() => workers.close(5_000));
    await events.waitUntilReady();

    const job = await queue.add("ping", {});
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result).toMatchObject({ pong: true, pid: process.pid });
  });

  it("an unknown job name fails with a reason instead of being silently dropped", async () => {
    const { queue, events } = openQueue("system");
    const workers = startWorkers({ system: processSystemJob }, { redisUrl, prefix, concurrency: 1 }, log);
    closers.push(() => workers.close(5_000));
    await events.waitUntilReady();

    const job = await queue.add("reboot", {}, { attempts: 1 });
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/unknown job "reboot"/);
  });

  it("close() waits for a running job to finish before it resolves", async () => {
    const { queue } = openQueue("slow");
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const workers = startWorkers(
      {
        slow: async (_job: Job) => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 500));
          finished = true;
        },
      },
      { redisUrl, prefix, concurrency: 1 },
      log,
    );
    await queue.add("work", {});
    await running;
    const outcome = await workers.close(10_000);
    expect(outcome.timedOut).toBe(false);
    expect(finished).toBe(true);
    expect(await queue.getCompletedCount()).toBe(1);
  });

  it("close() gives up after its deadline, leaving the job to be retried rather than lost", async () => {
    const { queue } = openQueue("stuck");
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const workers = startWorkers(
      { stuck: async () => (started(), blocker) },
      { redisUrl, prefix, concurrency: 1 },
      log,
    );
    await queue.add("work", {});
    await running;
    const outcome = await workers.close(200);
    expect(outcome.timedOut).toBe(true);
    // Still active (locked) in Redis: the stalled-job check hands it to the next worker.
    expect(await queue.getActiveCount()).toBe(1);
    release();
    await workers.close(10_000);
  });
});
