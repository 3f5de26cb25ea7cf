import { Cluster } from "ioredis";
import type { RedisClient } from "../redis.server";

/**
 * Precomputed recommendation lists in Redis, one set per training run, so the storefront answers
 * from a single hash lookup and never computes from the database on a request. The shop's
 * "active" pointer names the run being served; the run before it is kept so a rollback is a
 * pointer swap, not a retrain. Keys carry the shop in a hash tag, so on Redis Cluster all of a
 * shop's keys share one slot (one pipeline, one MULTI).
 */
export interface RunLists {
  /** Per known customer: the "for you" mix of buying again and discovery, best first. */
  forCustomer: Map<string, string[]>;
  /** Per known customer: "buy it again", only products they bought before. */
  againForCustomer?: Map<string, string[]>;
  /** Per known customer: "new for you", nothing they bought before. */
  newForCustomer?: Map<string, string[]>;
  /** Per product: related product ids, best first. */
  related: Map<string, string[]>;
  /** The fallback for visitors we know nothing about. */
  popular: string[];
  /** Per customer: what they bought, for shops that do not recommend it again. */
  bought?: Map<string, string[]>;
  /** Most sold recently: what the holdout group is shown when the merchant chooses best-sellers. */
  bestSellers?: string[];
}

/** The hashes of one run, each keyed by a customer or product id. */
const RUN_HASHES = ["for", "again", "new", "related", "bought"] as const;
/** The plain keys of one run. */
const RUN_KEYS = ["popular", "bestsellers"] as const;

/**
 * A key in the shop's storefront namespace; every such key shares the shop's hash slot. The queue
 * prefix's own hash tag (`{affinity}`) is dropped here: Redis hashes the first `{…}` in a key, and
 * keeping it would put every shop's lists in the queues' one slot instead of spreading shops
 * across a cluster.
 */
export const recsKey = (prefix: string, shop: string, ...parts: string[]) =>
  [`${prefix.replace(/[{}]/g, "")}:recs:{${shop}}`, ...parts].join(":");
const key = recsKey;
const BATCH = 500;

export async function writeRunLists(redis: RedisClient, prefix: string, shop: string, runId: string, lists: RunLists) {
  const entries = async (hash: string, map: Map<string, string[]>) => {
    const all = [...map.entries()];
    for (let i = 0; i < all.length; i += BATCH) {
      const fields = all.slice(i, i + BATCH).flatMap(([id, ids]) => [id, ids.join(",")]);
      if (fields.length > 0) await redis.hset(hash, ...fields);
    }
  };
  await redis.del(...[...RUN_HASHES, ...RUN_KEYS].map((hash) => key(prefix, shop, runId, hash)));
  await entries(key(prefix, shop, runId, "for"), lists.forCustomer);
  await entries(key(prefix, shop, runId, "again"), lists.againForCustomer ?? new Map());
  await entries(key(prefix, shop, runId, "new"), lists.newForCustomer ?? new Map());
  await entries(key(prefix, shop, runId, "related"), lists.related);
  await entries(key(prefix, shop, runId, "bought"), lists.bought ?? new Map());
  await redis.set(key(prefix, shop, runId, "popular"), lists.popular.join(","));
  await redis.set(key(prefix, shop, runId, "bestsellers"), (lists.bestSellers ?? []).join(","));
}

/** Serves `runId` from now on; keeps the previous run's lists and deletes any older ones. */
export async function activateRun(
  redis: RedisClient,
  prefix: string,
  shop: string,
  runId: string,
): Promise<string | null> {
  const [active = null, previous = null] = await redis.mget(key(prefix, shop, "active"), key(prefix, shop, "previous"));
  if (active === runId) return previous;
  const tx = redis.multi().set(key(prefix, shop, "active"), runId);
  if (active) tx.set(key(prefix, shop, "previous"), active);
  if (previous && previous !== runId)
    tx.del(...[...RUN_HASHES, ...RUN_KEYS].map((p) => key(prefix, shop, previous, p)));
  await tx.exec();
  return active;
}

/** Swaps back to the previous run, if its lists are still there. Returns the run now served. */
export async function rollbackRun(redis: RedisClient, prefix: string, shop: string): Promise<string | null> {
  const [active = null, previous = null] = await redis.mget(key(prefix, shop, "active"), key(prefix, shop, "previous"));
  if (!previous || !(await redis.exists(key(prefix, shop, previous, "popular")))) return null;
  await redis
    .multi()
    .set(key(prefix, shop, "active"), previous)
    .set(key(prefix, shop, "previous"), active ?? previous)
    .exec();
  return previous;
}

export type ListKind = (typeof RUN_HASHES)[number];

/** The run a shop is served now, or null before its first training. */
export async function activeRunId(redis: RedisClient, prefix: string, shop: string): Promise<string | null> {
  return redis.get(key(prefix, shop, "active"));
}

export const parseList = (value: string | null | undefined): string[] => (value ? value.split(",") : []);

/** One precomputed list from the active run: customer or product id in, product ids out. */
export async function readList(
  redis: RedisClient,
  prefix: string,
  shop: string,
  kind: ListKind,
  id: string,
): Promise<string[]> {
  const runId = await redis.get(key(prefix, shop, "active"));
  if (!runId) return [];
  const value = await redis.hget(key(prefix, shop, runId, kind), id);
  return value ? value.split(",") : [];
}

export async function readPopular(redis: RedisClient, prefix: string, shop: string): Promise<string[]> {
  const runId = await redis.get(key(prefix, shop, "active"));
  const value = runId ? await redis.get(key(prefix, shop, runId, "popular")) : null;
  return value ? value.split(",") : [];
}

/** Removes every list of a shop (uninstall, shop/redact). */
export async function deleteShopLists(redis: RedisClient, prefix: string, shop: string): Promise<void> {
  // SCAN walks one node: on a cluster, every master is walked (the shop's keys live on one).
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${key(prefix, shop)}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  }
}
