import type { RedisClient } from "../redis.server";
import { deleteMatching } from "./delete-matching.server";
import { RUN_HASH_KEYS, RUN_HASHES, RUN_PARTS, runKey, shopKey, shopSpace, type RunHash } from "./keys";

/**
 * Precomputed recommendation lists in Redis, one set per training run, so the storefront answers
 * from a single hash lookup and never computes from the database on a request. The shop's
 * "active" pointer names the run being served; the run before it is kept so a rollback is a
 * pointer swap, not a retrain. Keys carry the shop in a hash tag, so on Redis Cluster all of a
 * shop's keys share one slot (one pipeline, one MULTI).
 *
 * Size (measured by `npm run bench -- redis-bytes`, ADR 005 "Serving at size"): per run, about
 * 2.3 KB per customer with lists and 0.4 KB per modelled product; two runs are kept. Customers
 * with lists are bounded by the training window (at most its orders), modelled products by its
 * product cap (model/window.ts), so neither grows with the catalog.
 */
/** The lists a run keeps per customer. */
export interface CustomerLists {
  /** Per known customer: the "for you" mix of buying again and discovery, best first. */
  forCustomer: Map<string, string[]>;
  /** Per known customer: "buy it again", only products they bought before. */
  againForCustomer?: Map<string, string[]>;
  /** Per known customer: "new for you", nothing they bought before. */
  newForCustomer?: Map<string, string[]>;
  /** Per customer: what they bought, for shops that do not recommend it again. */
  bought?: Map<string, string[]>;
}

export interface RunLists extends CustomerLists {
  /** Per product: related product ids, best first. */
  related: Map<string, string[]>;
  /** The fallback for visitors we know nothing about. */
  popular: string[];
  /** Most sold recently: what the holdout group is shown when the merchant chooses best-sellers. */
  bestSellers?: string[];
}

/** The lists kept per customer: what customers/data_request must hand over. */
export const CUSTOMER_LIST_KINDS = RUN_HASHES.filter((kind) => RUN_HASH_KEYS[kind] === "customer");

const BATCH = 500;

/** Writes each entry of `map` into one hash, in batches. */
async function writeEntries(redis: RedisClient, hash: string, map: Map<string, string[]>) {
  const all = [...map.entries()];
  for (let i = 0; i < all.length; i += BATCH) {
    const fields = all.slice(i, i + BATCH).flatMap(([id, ids]) => [id, ids.join(",")]);
    if (fields.length > 0) await redis.hset(hash, ...fields);
  }
}

async function writeCustomerEntries(
  redis: RedisClient,
  prefix: string,
  shop: string,
  runId: string,
  lists: CustomerLists,
) {
  await writeEntries(redis, runKey(prefix, shop, runId, "for"), lists.forCustomer);
  await writeEntries(redis, runKey(prefix, shop, runId, "again"), lists.againForCustomer ?? new Map());
  await writeEntries(redis, runKey(prefix, shop, runId, "new"), lists.newForCustomer ?? new Map());
  await writeEntries(redis, runKey(prefix, shop, runId, "bought"), lists.bought ?? new Map());
}

/**
 * Writes a run's lists. `inPlace` (a refresh of the run being served) overwrites each entry without
 * deleting the run's keys first, so the storefront never finds a served list missing; entries of
 * customers the new lists no longer hold stay until the next run replaces them.
 */
export async function writeRunLists(
  redis: RedisClient,
  prefix: string,
  shop: string,
  runId: string,
  lists: RunLists,
  { inPlace = false }: { inPlace?: boolean } = {},
) {
  if (!inPlace) await redis.del(...RUN_PARTS.map((part) => runKey(prefix, shop, runId, part)));
  await writeCustomerEntries(redis, prefix, shop, runId, lists);
  await writeEntries(redis, runKey(prefix, shop, runId, "related"), lists.related);
  await redis.set(runKey(prefix, shop, runId, "popular"), lists.popular.join(","));
  await redis.set(runKey(prefix, shop, runId, "bestsellers"), (lists.bestSellers ?? []).join(","));
  await settleWrite(redis, prefix, shop, runId);
}

/**
 * Overwrites some customers' entries of a run in place (a refresh after their orders); every other
 * entry and the shop-wide lists stay as the run wrote them.
 */
export async function writeSomeCustomerLists(
  redis: RedisClient,
  prefix: string,
  shop: string,
  runId: string,
  lists: CustomerLists,
) {
  await writeCustomerEntries(redis, prefix, shop, runId, lists);
  await settleWrite(redis, prefix, shop, runId);
}

/**
 * How long a redaction is remembered for list writers: longer than any training or refresh that
 * could have read the customer's orders before the redaction deleted them.
 */
export const REDACTED_MEMORY_SECONDS = 24 * 3600;

/**
 * What every list writer does last (and activateRun after switching):
 * - Deletes the lists of customers redacted lately from the run. A writer that loaded the history
 *   before a redaction still holds the customer's orders, and may write their lists after the
 *   redaction deleted the stored ones; the redaction records the customer before deleting, so
 *   whichever comes last removes them.
 * - Counts the write in the shop's lists version. Serving keeps a run's lists in its process cache
 *   for minutes and scopes them by that version, read with the active run (store-cache.server.ts):
 *   without it, a run's lists rewritten in place (a refresh, a rebuild, a redaction) would be
 *   served as they were until the cache let them go.
 */
async function settleWrite(redis: RedisClient, prefix: string, shop: string, runId: string): Promise<void> {
  const redacted = await redis.smembers(shopKey(prefix, shop, "redacted"));
  const tx = redis.multi();
  if (redacted.length > 0)
    for (const kind of CUSTOMER_LIST_KINDS) tx.hdel(runKey(prefix, shop, runId, kind), ...redacted);
  await tx.incr(shopKey(prefix, shop, "lists-version")).exec();
}

/** The run served now and the one kept for rollback, in one round trip (null where there is none). */
async function keptRuns(redis: RedisClient, prefix: string, shop: string) {
  const [active = null, previous = null] = await redis.mget(
    shopKey(prefix, shop, "active"),
    shopKey(prefix, shop, "previous"),
  );
  return { active, previous };
}

/** Serves `runId` from now on; keeps the previous run's lists and deletes any older ones. */
export async function activateRun(
  redis: RedisClient,
  prefix: string,
  shop: string,
  runId: string,
): Promise<string | null> {
  const { active, previous } = await keptRuns(redis, prefix, shop);
  if (active === runId) return previous;
  const tx = redis.multi().set(shopKey(prefix, shop, "active"), runId);
  if (active) tx.set(shopKey(prefix, shop, "previous"), active);
  if (previous && previous !== runId) tx.del(...RUN_PARTS.map((part) => runKey(prefix, shop, previous, part)));
  await tx.exec();
  // A redaction between this run's write and now deleted only the runs served before it.
  await settleWrite(redis, prefix, shop, runId);
  return active;
}

/** Swaps back to the previous run, if its lists are still there. Returns the run now served. */
export async function rollbackRun(redis: RedisClient, prefix: string, shop: string): Promise<string | null> {
  const { active, previous } = await keptRuns(redis, prefix, shop);
  if (!previous || !(await redis.exists(runKey(prefix, shop, previous, "popular")))) return null;
  await redis
    .multi()
    .set(shopKey(prefix, shop, "active"), previous)
    .set(shopKey(prefix, shop, "previous"), active ?? previous)
    .exec();
  return previous;
}

export type ListKind = RunHash;

export const parseList = (value: string | null | undefined): string[] => (value ? value.split(",") : []);

/** The run the storefront serves now, as Redis says: null when Redis holds none for the shop. */
export const servedRunId = (redis: RedisClient, prefix: string, shop: string): Promise<string | null> =>
  redis.get(shopKey(prefix, shop, "active"));

/** One precomputed list from the active run: customer or product id in, product ids out. */
export async function readList(
  redis: RedisClient,
  prefix: string,
  shop: string,
  kind: ListKind,
  id: string,
): Promise<string[]> {
  const runId = await servedRunId(redis, prefix, shop);
  const value = runId ? await redis.hget(runKey(prefix, shop, runId, kind), id) : null;
  return value ? value.split(",") : [];
}

export async function readPopular(redis: RedisClient, prefix: string, shop: string): Promise<string[]> {
  const runId = await servedRunId(redis, prefix, shop);
  const value = runId ? await redis.get(runKey(prefix, shop, runId, "popular")) : null;
  return value ? value.split(",") : [];
}

/**
 * One customer's precomputed lists, per kind, in the run served now and in the one kept for
 * rollback (both are stored about them). Every kind is listed, empty or not.
 */
export async function readCustomerLists(
  redis: RedisClient,
  prefix: string,
  shop: string,
  customerId: string,
): Promise<Record<string, { active: string[]; previous: string[] }>> {
  const { active, previous } = await keptRuns(redis, prefix, shop);
  const read = async (runId: string | null, kind: ListKind) =>
    runId ? parseList(await redis.hget(runKey(prefix, shop, runId, kind), customerId)) : [];
  const lists: Record<string, { active: string[]; previous: string[] }> = {};
  for (const kind of CUSTOMER_LIST_KINDS) {
    lists[kind] = { active: await read(active, kind), previous: await read(previous, kind) };
  }
  return lists;
}

/**
 * Removes one customer's lists from the run served now and the one kept for rollback
 * (customers/redact): they were built from that customer's orders, and the retrain the redaction
 * asks for replaces only the served run's. The customer is also recorded for a day, so a training
 * or refresh already under way drops their lists after writing (dropRedacted).
 */
export async function deleteCustomerLists(
  redis: RedisClient,
  prefix: string,
  shop: string,
  customerId: string,
): Promise<void> {
  const { active, previous } = await keptRuns(redis, prefix, shop);
  const redacted = shopKey(prefix, shop, "redacted");
  const tx = redis.multi().sadd(redacted, customerId).expire(redacted, REDACTED_MEMORY_SECONDS);
  for (const runId of [active, previous]) {
    if (runId) for (const kind of CUSTOMER_LIST_KINDS) tx.hdel(runKey(prefix, shop, runId, kind), customerId);
  }
  // Serving's cached copies of the customer's lists go within its head's second (settleWrite).
  await tx.incr(shopKey(prefix, shop, "lists-version")).exec();
}

/** Removes every list of a shop (uninstall, shop/redact). */
export async function deleteShopLists(redis: RedisClient, prefix: string, shop: string): Promise<void> {
  await deleteMatching(redis, [`${shopSpace(prefix, shop)}:*`]);
}
