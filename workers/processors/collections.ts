import { UnrecoverableError, type Job, type Processor } from "bullmq";
import type { RedisClient } from "../../app/lib/redis.server";
import { collectionProductIds } from "../../app/lib/sync/collection-products.server";
import {
  MAX_COLLECTION_MEMBERS,
  writeCollectionMembers,
} from "../../app/lib/storefront-store/collection-members.server";
import { collectionJobData, type CollectionJobData } from "../../app/lib/sync/collection-job.server";
import { AdminApiError, createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { handleTokenFailure, type AdminApiJobDeps } from "./admin-api-job";

export interface CollectionProcessorDeps extends AdminApiJobDeps {
  redis: RedisClient;
  prefix: string;
}

/**
 * Reads a collection's products from the Admin API into Redis, where storefront requests for
 * that collection's page find them (app/lib/storefront-store/collection-members.server.ts). A collection
 * that no longer exists is stored empty, so the storefront stops asking about it.
 */
export function createCollectionProcessor(
  deps: CollectionProcessorDeps,
): Processor<CollectionJobData, { members: number; found: boolean }> {
  return async (job: Job<CollectionJobData>, token?: string) => {
    const parsed = collectionJobData.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a collection read: ${parsed.error.message}`);
    const { shop, collectionId } = parsed.data;
    const log = deps.log.child({ shop, jobId: job.id, collectionId });
    const { request } = createAdminGraphql({ shop, accessToken: deps.tokens, apiVersion: deps.apiVersion, log });
    try {
      const members = await collectionProductIds(request, collectionId, MAX_COLLECTION_MEMBERS);
      await writeCollectionMembers(deps.redis, deps.prefix, shop, collectionId, members ?? []);
      log.info("collection.read", { members: members?.length ?? 0, found: members !== null });
      return { members: members?.length ?? 0, found: members !== null };
    } catch (caught) {
      // A token Shopify will not renew makes the job wait for the merchant, never fail.
      const error = await handleTokenFailure(caught, job, token, {
        db: deps.db,
        log,
        retryInMs: deps.reconnectRetryMs,
      });
      // A query Shopify rejects cannot succeed later; throttling and outages can.
      if (error instanceof AdminApiError && !error.retryable) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
