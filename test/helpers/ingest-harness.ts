import { randomUUID } from "node:crypto";
import { QueueEvents, type Job, type JobsOptions, type Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { webhookJobId } from "../../app/lib/webhooks/webhook-queue.server";
import type { WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { createStorefrontSync } from "../../app/lib/storefront-store/worker-sync.server";
import { deleteCustomerLists, readCustomerLists } from "../../app/lib/storefront-store/run-lists.server";
import { createBatchedWebhookProcessor, createJobPuller } from "../../workers/processors/webhook-batch";
import { createWebhookProcessor } from "../../workers/processors/webhooks";
import { startWorkers, type RunningWorkers } from "../../workers/run-workers";
import { createTestPrefix } from "./test-redis";

/** A delivery as the intake route queues it. */
export function delivery(
  shop: string,
  topic: string,
  payload: unknown,
  extra: Partial<WebhookDelivery> = {},
): WebhookDelivery {
  return {
    topic,
    shop,
    webhookId: randomUUID(),
    apiVersion: "2026-10",
    triggeredAt: new Date().toISOString(),
    eventId: null,
    payload,
    ...extra,
  };
}

/**
 * Waits until every job of `ids` has completed or failed for good (a failure BullMQ will retry is
 * not an end), with one listener pair on `events` for all of them.
 * `Job.waitUntilFinished` adds three listeners per job, its queue's "closing" among them, so
 * waiting on a batch of 500 that way passes Node's limit of 10 and prints
 * MaxListenersExceededWarning. Rejects with the ids still open after `timeoutMs`.
 */
export async function settled(queue: Queue, events: QueueEvents, ids: readonly string[], timeoutMs = 30_000) {
  const open = new Set(ids);
  if (open.size === 0) return;
  let done = () => {};
  let fail = (_error: Error) => {};
  const finished = new Promise<void>((resolve, reject) => ((done = resolve), (fail = reject)));
  const onEnd = ({ jobId }: { jobId: string }) => {
    open.delete(jobId);
    if (open.size === 0) done();
  };
  const timer = setTimeout(
    () => fail(new Error(`${open.size} jobs not finished after ${timeoutMs} ms: ${[...open].slice(0, 5).join(", ")}`)),
    timeoutMs,
  );
  events.on("completed", onEnd);
  events.on("failed", onEnd);
  try {
    // Listening first, then reading the states, so a job that ended in between is not missed.
    await events.waitUntilReady();
    const states = await Promise.all([...open].map(async (id) => [id, await queue.getJobState(id)] as const));
    for (const [id, state] of states) if (state === "completed" || state === "failed") onEnd({ jobId: id });
    await finished;
  } finally {
    clearTimeout(timer);
    events.off("completed", onEnd);
    events.off("failed", onEnd);
  }
}

/** The real webhooks queue and ingest worker, in this process, on this test's own key prefix. */
export async function startIngest(
  db: Db,
  options: {
    removedSchedules?: string[];
    trainingRequests?: string[];
    trainAfterOrders?: number;
    /** Each list refresh asked for, as the shop's domain. */
    listRefreshes?: string[];
    forgottenShops?: string[];
    /** Runs the batched processor (docs/decisions/014) with this many jobs per batch. */
    batchSize?: number;
  } = {},
) {
  const { prefix, cleanup } = createTestPrefix();
  const redisUrl = process.env.REDIS_URL!;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue: Queue = createQueue(QUEUE_NAMES.webhooks, connection, prefix);
  const events = new QueueEvents(QUEUE_NAMES.webhooks, {
    connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    prefix,
  });
  await events.waitUntilReady();
  const puller = options.batchSize
    ? createJobPuller(QUEUE_NAMES.webhooks, {
        connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
        prefix,
        log: createLogger("silent"),
        batchSize: options.batchSize,
      })
    : undefined;
  const workers: RunningWorkers = startWorkers(
    {
      [QUEUE_NAMES.webhooks]: (puller ? createBatchedWebhookProcessor : createWebhookProcessor)({
        puller: puller!,
        db,
        log: createLogger("silent"),
        removeShopSchedules: async (shop) => (options.removedSchedules?.push(shop), 1),
        requestTraining: async (shop, trigger) => options.trainingRequests?.push(`${trigger}@${shop}`),
        trainAfterOrders: options.trainAfterOrders ?? 1_000,
        requestListRefresh: async (shop, customers) =>
          options.listRefreshes?.push(`${shop} for ${[...customers].sort().join(",")}`),
        forgetShop: async (shop) => void options.forgottenShops?.push(shop),
        customerLists: (shop, customerId) => readCustomerLists(connection, prefix, shop, customerId),
        forgetCustomerLists: (shop, customerId) => deleteCustomerLists(connection, prefix, shop, customerId),
        storefront: createStorefrontSync(db, connection, prefix),
      }),
    },
    { redisUrl, prefix, concurrency: 1 },
    createLogger("silent"),
  );

  return {
    queue,
    events,
    /** The Redis connection and key prefix the worker writes the storefront's copies under. */
    redis: connection,
    prefix,
    /** Waits until these jobs have ended (settled above); rejects after `timeoutMs`. */
    settled: (jobs: readonly Job[], timeoutMs?: number) =>
      settled(
        queue,
        events,
        jobs.map((j) => j.id!),
        timeoutMs,
      ),
    /**
     * Queues deliveries while the queue is paused, so the worker finds them all waiting and takes
     * them as one batch (or as few as its batch size allows); waits until each has ended, and
     * resolves with the jobs as stored then, in the order given. A job still open after
     * `timeoutMs` is returned as it is (the test's assertions then say what is missing).
     */
    async ingestTogether(
      deliveries: WebhookDelivery[],
      options: { attempts?: number; backoff?: JobsOptions["backoff"]; timeoutMs?: number } = {},
    ): Promise<Job[]> {
      await queue.pause();
      const jobs = await queue.addBulk(
        deliveries.map((d) => ({
          name: d.topic,
          data: d,
          opts: {
            jobId: webhookJobId(d.webhookId),
            attempts: options.attempts ?? 3,
            backoff: options.backoff ?? { type: "fixed", delay: 10 },
          },
        })),
      );
      await queue.resume();
      const ids = jobs.map((j) => j.id!);
      await settled(queue, events, ids, options.timeoutMs ?? 30_000).catch(() => undefined);
      return Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))!));
    },
    /** Queues a delivery and waits until the worker finished it; resolves with the job. */
    async ingest(d: WebhookDelivery): Promise<Job> {
      const job = await queue.add(d.topic, d, {
        jobId: webhookJobId(d.webhookId),
        attempts: 2,
        backoff: { type: "fixed", delay: 10 },
      });
      await job.waitUntilFinished(events, 30_000).catch(() => undefined);
      return (await queue.getJob(job.id!))!;
    },
    async stop() {
      await workers.close(5_000);
      await puller?.close();
      await events.close();
      await queue.close();
      connection.disconnect();
      await cleanup();
    },
  };
}
