import type { RedisClient } from "../redis.server";
import type { Db } from "../database/client.server";
import type { StorefrontSync } from "../sync/webhook-handlers.server";
import { rebuildAllCards, refreshCards } from "./cards.server";
import { forgetCollectionMembers } from "./collection-members.server";
import { forgetShopState } from "./shop-state.server";

/** What the workers call to keep the storefront's Redis copies in step with the database. */
export function createStorefrontSync(
  db: Db,
  redis: RedisClient,
  prefix: string,
): StorefrontSync & {
  catalogImported: (shop: string, shopId: string) => Promise<number>;
} {
  return {
    productsChanged: (shop, shopId, ids) => refreshCards(db, redis, prefix, shop, shopId, ids),
    shopChanged: (shop) => forgetShopState(redis, prefix, shop),
    collectionChanged: (shop, collectionId) => forgetCollectionMembers(redis, prefix, shop, collectionId),
    catalogImported: (shop, shopId) => rebuildAllCards(db, redis, prefix, shop, shopId),
  };
}
