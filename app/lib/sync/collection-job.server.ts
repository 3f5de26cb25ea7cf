import type { Queue } from "bullmq";
import { shopifyIdSchema } from "../shopify-id";
import { z } from "zod";
import { shopDomainSchema } from "../shops/domain";

/*
 * The job that reads a collection's products from the Admin API into the storefront store
 * (storefront-store/collection-members.server.ts). Serving queues it the first time a page asks
 * about a collection, or when its copy is stale; it runs on the backfill queue, beside the other
 * Admin API reads (workers/processors/collections.ts).
 */
export const COLLECTION_JOB_NAME = "collection-members";
export const collectionJobData = z.object({
  shop: shopDomainSchema,
  collectionId: shopifyIdSchema,
});
export type CollectionJobData = z.infer<typeof collectionJobData>;

/** Queues a read of the collection from Shopify; a read already waiting is joined. */
export async function requestCollectionMembers(queue: Queue, shop: string, collectionId: string): Promise<void> {
  const data = collectionJobData.parse({ shop, collectionId });
  await queue.add(COLLECTION_JOB_NAME, data, {
    jobId: `collection-${shop}-${collectionId}`,
    attempts: 3,
    backoff: { type: "exponential", delay: 30_000 },
    // Removed once done, so the next refresh can reuse the id.
    removeOnComplete: true,
    removeOnFail: { age: 3_600 },
  });
}
