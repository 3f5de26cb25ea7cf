import { createHash } from "node:crypto";
import type { Queue } from "bullmq";
import type { EventsJob, StorefrontEvent } from "./event-schema";

/** BullMQ job id of a batch: the same events queued twice are one job while it is kept. */
export function eventsJobId(shop: string, events: StorefrontEvent[]): string {
  const ids = events.map((e) => e.id).sort();
  return `ev-${createHash("sha256")
    .update([shop, ...ids].join(","))
    .digest("hex")
    .slice(0, 32)}`;
}

/**
 * Queues accepted events for the events worker, one job per batch. Also the entry point for
 * events the app itself records (an exposure reported by the recommendations route).
 */
export async function enqueueEvents(queue: Queue, shop: string, events: StorefrontEvent[]): Promise<void> {
  const job: EventsJob = { shop, events };
  await queue.add("events", job, { jobId: eventsJobId(shop, events) });
}
