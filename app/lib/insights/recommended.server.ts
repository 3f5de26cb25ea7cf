/**
 * Each customer's own recommendations for the `recommended_products` metafield: the served run's
 * "for you" list (the one the storefront block shows them), cut to products still in the catalog,
 * because Shopify refuses a product reference to a deleted product and metafieldsSet saves all of
 * a customer's metafields or none.
 */
import type { Db } from "../database/client.server";
import type { RedisClient } from "../redis.server";
import { runKey, shopKey } from "../storefront-store/keys";
import { parseList } from "../storefront-store/run-lists.server";

/** Products per customer in the metafield: what an email block or Flow template shows. */
export const RECOMMENDED_IN_METAFIELD = 5;
/** Customers per HMGET and products per catalog query: bounded round trips and statements. */
const CHUNK = 1_000;

export type RecommendedLookup = (customerIds: readonly string[]) => Promise<Map<string, string[]>>;

export function recommendedFromStore(
  deps: { db: Db; redis: RedisClient; prefix: string },
  shop: { id: string; domain: string },
): RecommendedLookup {
  return async (customerIds) => {
    const out = new Map<string, string[]>();
    const runId = await deps.redis.get(shopKey(deps.prefix, shop.domain, "active"));
    if (!runId) return out;
    const key = runKey(deps.prefix, shop.domain, runId, "for");
    for (let i = 0; i < customerIds.length; i += CHUNK) {
      const ids = customerIds.slice(i, i + CHUNK);
      const lists = await deps.redis.hmget(key, ...ids);
      // A few more than needed, so products deleted since the run still leave a full list.
      const wanted = lists.map((l) => parseList(l).slice(0, RECOMMENDED_IN_METAFIELD * 2));
      const live = await liveProducts(deps.db, shop.id, [...new Set(wanted.flat())]);
      ids.forEach((id, j) => {
        const products = wanted[j]!.filter((p) => live.has(p)).slice(0, RECOMMENDED_IN_METAFIELD);
        if (products.length > 0) out.set(id, products);
      });
    }
    return out;
  };
}

async function liveProducts(db: Db, shopId: string, ids: string[]): Promise<Set<string>> {
  const live = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.product.findMany({
      where: { shopId, shopifyId: { in: ids.slice(i, i + CHUNK) }, deletedAt: null },
      select: { shopifyId: true },
    });
    for (const r of rows) live.add(r.shopifyId);
  }
  return live;
}
