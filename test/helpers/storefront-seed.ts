import type { RedisClient } from "../../app/lib/redis.server";
import type { Db } from "../../app/lib/database/client.server";
import { cardFromProduct, type CatalogProduct } from "../../app/lib/storefront-store/card";
import { writeCards } from "../../app/lib/storefront-store/cards.server";
import { activateRun, writeRunLists, type RunLists } from "../../app/lib/storefront-store/run-lists.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { storeOfflineSession } from "./admin-session";

/** A catalog product as our database holds it, with one variant. */
export function catalogProduct(id: string, over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    shopifyId: id,
    title: `Product ${id}`,
    handle: `product-${id}`,
    status: "active",
    isGiftCard: false,
    publishedAt: new Date("2026-01-01"),
    tags: "",
    imageUrl: `https://cdn.shopify.com/s/files/${id}.jpg`,
    imageWidth: 600,
    imageHeight: 600,
    imageAlt: null,
    shopifyUpdatedAt: new Date("2026-02-01"),
    deletedAt: null,
    variants: [{ shopifyId: `${id}01`, price: "10.00", compareAtPrice: null, available: true, position: 1 }],
    ...over,
  };
}

/**
 * A shop as the storefront sees it after install, sync and training: the shop row and its offline
 * session, the product
 * cards the workers write, and a trained run's lists, activated.
 */
export async function seedServedShop(
  db: Db,
  redis: RedisClient,
  prefix: string,
  shop: string,
  seed: { products: CatalogProduct[]; lists: Partial<RunLists>; settings?: object; runId?: string },
) {
  await recordInstall(db, shop);
  await storeOfflineSession(db, shop);
  if (seed.settings)
    await db.shop.update({ where: { domain: shop }, data: { settings: JSON.stringify(seed.settings) } });
  await writeCards(redis, prefix, shop, seed.products.map(cardFromProduct));
  const runId = seed.runId ?? "run-1";
  await writeRunLists(redis, prefix, shop, runId, {
    forCustomer: seed.lists.forCustomer ?? new Map(),
    againForCustomer: seed.lists.againForCustomer ?? new Map(),
    newForCustomer: seed.lists.newForCustomer ?? new Map(),
    related: seed.lists.related ?? new Map(),
    popular: seed.lists.popular ?? [],
    bought: seed.lists.bought ?? new Map(),
    bestSellers: seed.lists.bestSellers ?? [],
  });
  await activateRun(redis, prefix, shop, runId);
}
