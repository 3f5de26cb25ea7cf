import type { Queue } from "bullmq";
import { z } from "zod";

/** A verified delivery, as it is queued for the ingest worker; the worker parses jobs with it. */
export const webhookDeliverySchema = z.object({
  topic: z.string(),
  shop: z.string(),
  webhookId: z.string(),
  apiVersion: z.string(),
  /** When Shopify raised the event (X-Shopify-Triggered-At); orders deletes against updates. */
  triggeredAt: z.string().nullable(),
  eventId: z.string().nullable(),
  payload: z.unknown(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** Thrown when the queue cannot take the job; answered 503 so Shopify retries the delivery. */
export class QueueUnavailableError extends Error {
  override name = "QueueUnavailableError";
}

/**
 * The BullMQ job id for a delivery. Shopify sends a retried delivery with the same
 * X-Shopify-Webhook-Id, and BullMQ ignores an add whose id it already holds, so duplicates are
 * dropped at the queue. BullMQ forbids ":" in custom ids.
 */
export function webhookJobId(webhookId: string): string {
  return `wh-${webhookId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * Queues a verified delivery. A single atomic add: either the job exists or nothing was written.
 * `connected` lets the caller refuse at once while Redis is down rather than wait on a reconnect.
 * `priority` comes from the shop ranker (fairness.ts); a retried delivery keeps its first job.
 */
export async function enqueueWebhook(
  queue: Queue,
  delivery: WebhookDelivery,
  connected: () => Promise<boolean>,
  priority: number,
): Promise<void> {
  if (!(await connected())) throw new QueueUnavailableError("Redis is not connected");
  try {
    await queue.add(delivery.topic, delivery, { jobId: webhookJobId(delivery.webhookId), priority });
  } catch (error) {
    throw new QueueUnavailableError(`Could not queue webhook ${delivery.webhookId}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
