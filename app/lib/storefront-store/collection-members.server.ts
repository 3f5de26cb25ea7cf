import type { RedisClient } from "../redis.server";
import { shopKey } from "./keys";

/*
 * Which products a collection holds, for blocks on collection pages. Shopify's product
 * webhooks do not say, so a worker reads a collection from the Admin API the first time a
 * storefront asks about it, and again once its copy is older than MEMBERS_FRESH_MS or a
 * collections/update or collections/delete webhook dropped it. Serving only ever reads Redis: a
 * collection not read yet is ranked like the home page meanwhile.
 */

/** Products kept per collection: a block shows at most 12, the rest only orders the fallback. */
export const MAX_COLLECTION_MEMBERS = 1_000;
/** A collection's copy is read again from Shopify after this long. */
export const MEMBERS_FRESH_MS = 6 * 3_600_000;

export interface CollectionMembers {
  /** Product ids in the collection's own order. */
  ids: string[];
  set: ReadonlySet<string>;
  /** When the worker read them from Shopify (ms). */
  fetchedAt: number;
}

const membersKey = (prefix: string, shop: string) => shopKey(prefix, shop, "collections");

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
