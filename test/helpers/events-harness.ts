import { randomUUID } from "node:crypto";
import { QueueEvents, type Job, type Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import { toStorefrontEvent } from "../../app/lib/events/event-id";
import { eventsJobId } from "../../app/lib/events/events-queue.server";
import { incomingEvent, type StorefrontEvent } from "../../app/lib/events/event-schema";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createEventsProcessor } from "../../workers/processors/events";
import { startWorkers } from "../../workers/run-workers";
import { createTestPrefix } from "./test-redis";

/** Events as the intake queues them (validated, ids derived), with the trusted shop and customer. */
export function storefrontEvents(
  shop: string,
  events: Array<Record<string, unknown>>,
  customerId: string | null = null,
): StorefrontEvent[] {
  return events.map((event) => toStorefrontEvent(shop, customerId, incomingEvent.parse(event)));
}

/** The real events queue and worker, in this process, on this test's own key prefix. */
export async function startEventsWorker(db: Db, options: { attributionWindowDays?: number } = {}) {
  const { prefix, cleanup } = createTestPrefix();
  const redisUrl = process.env.REDIS_URL!;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue: Queue = createQueue(QUEUE_NAMES.events, connection, prefix);
  const queueEvents = new QueueEvents(QUEUE_NAMES.events, {
    connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    prefix,
  });
  await queueEvents.waitUntilReady();
  const workers = startWorkers(
    {
      [QUEUE_NAMES.events]: createEventsProcessor({
        db,
        log: createLogger("silent"),
        attributionWindowDays: async () => options.attributionWindowDays ?? 7,
      }),
    },
    { redisUrl, prefix, concurrency: 1 },
    createLogger("silent"),
  );
  return {
    queue,
    /** Queues a batch as the intake does and waits until the worker finished it. */
    async process(shop: string, events: StorefrontEvent[]): Promise<Job> {
      const job = await queue.add(
        "events",
        { shop, events },
        { jobId: `${eventsJobId(shop, events)}-${randomUUID()}` },
      );
      await job.waitUntilFinished(queueEvents, 30_000).catch(() => undefined);
      return (await queue.getJob(job.id!))!;
    },
    async stop() {
      await workers.close(5_000);
      await queueEvents.close();
      await queue.close();
      connection.disconnect();
      await cleanup();
    },
  };
}
