import { randomUUID } from "node:crypto";
import { QueueEvents, type Job, type Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { webhookJobId } from "../../app/lib/webhooks/webhook-queue.server";
import type { WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { createStorefrontSync } from "../../app/lib/storefront-store/worker-sync.server";
import { readCustomerLists } from "../../app/lib/storefront-store/run-lists.server";
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

/** The real webhooks queue and ingest worker, in this process, on this test's own key prefix. */
export async function startIngest(
  db: Db,
  options: {
    removedSchedules?: string[];
    trainingRequests?: string[];
    trainAfterOrders?: number;
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
        forgetShop: async (shop) => void options.forgottenShops?.push(shop),
        customerLists: (shop, customerId) => readCustomerLists(connection, prefix, shop, customerId),
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
