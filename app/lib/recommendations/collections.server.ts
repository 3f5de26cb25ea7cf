import type { Queue } from "bullmq";
import { z } from "zod";
import type { RedisClient } from "../redis.server";
import { shopDomainSchema } from "../shop-domain";
import { recsKey } from "../serving/lists.server";

/*
 * Which products a collection holds, for blocks on collection pages. Shopify's product
 * webhooks do not say, so a worker reads a collection from the Admin API the first time a
 * storefront asks about it, and again once its copy is older than MEMBERS_FRESH_MS or a
 * collections/update or collections/delete webhook dropped it. Serving only ever reads Redis: a
 * collection not read yet is ranked like the home page meanwhile.
 */

export const COLLECTION_JOB_NAME = "collection-members";
/** Products kept per collection: a block shows at most 12, the rest only orders the fallback. */
export const MAX_COLLECTION_MEMBERS = 1_000;
/** A collection's copy is read again from Shopify after this long. */
export const MEMBERS_FRESH_MS = 6 * 3_600_000;

export const collectionJobData = z.object({
  shop: shopDomainSchema,
  collectionId: z.string().regex(/^\d{1,20}$/),
});
export type CollectionJobData = z.infer<typeof collectionJobData>;

export interface CollectionMembers {
  /** Product ids in the collection's own order. */
  ids: string[];
  set: ReadonlySet<string>;
  /** When the worker read them from Shopify (ms). */
  fetchedAt: number;
}

const membersKey = (prefix: string, shop: string) => recsKey(prefix, shop, "collections");

/** Stored as "<fetchedAt>|<id,id,…>"; a collection that no longer exists is stored empty. */
export async function writeCollectionMembers(
  redis: RedisClient,
  prefix: string,
  shop: string,
  collectionId: string,
  ids: string[],
  fetchedAt = Date.now(),
): Promise<void> {
  const kept = ids.slice(0, MAX_COLLECTION_MEMBERS);
  await redis.hset(membersKey(prefix, shop), collectionId, `${fetchedAt}|${kept.join(",")}`);
}

/** Drops the copy (the collection changed in Shopify); the next page request queues a new read. */
export async function forgetCollectionMembers(redis: RedisClient, prefix: string, shop: string, collectionId: string) {
  await redis.hdel(membersKey(prefix, shop), collectionId);
}

export async function readCollectionMembers(
  redis: RedisClient,
  prefix: string,
  shop: string,
  collectionId: string,
): Promise<CollectionMembers | null> {
  const value = await redis.hget(membersKey(prefix, shop), collectionId);
  const bar = value?.indexOf("|") ?? -1;
  if (!value || bar < 1) return null;
  const ids = value.length > bar + 1 ? value.slice(bar + 1).split(",") : [];
  return { ids, set: new Set(ids), fetchedAt: Number(value.slice(0, bar)) };
}

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

/**
 * A collection page's ranking: the collection's products first, in the order the shopper's
 * ranking gives them, then its other products in the collection's own order (the merchant's
 * sort), then everything else as ranked. The best `take`.
 */
export function collectionFirst(ranked: readonly string[], members: CollectionMembers, take: number): string[] {
  const out: string[] = [];
  for (const id of ranked) if (out.length < take && members.set.has(id)) out.push(id);
  if (out.length < take) {
    const taken = new Set(out);
    for (const id of members.ids) if (out.length < take && !taken.has(id)) out.push(id);
  }
  for (const id of ranked) if (out.length < take && !members.set.has(id)) out.push(id);
  return out;
}
