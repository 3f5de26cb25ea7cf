import { Prisma } from "@prisma/client";
import { databaseKind, type Db } from "../database/client.server";
import { runRead } from "../database/pg-direct.server";
import { inIds } from "../sync/unnest-columns";
import type { CatalogProduct } from "./card";

/** What a card is built from (card.ts), as Prisma selects it. */
export const catalogSelect = {
  shopifyId: true,
  title: true,
  handle: true,
  status: true,
  isGiftCard: true,
  publishedAt: true,
  tags: true,
  imageUrl: true,
  imageWidth: true,
  imageHeight: true,
  imageAlt: true,
  shopifyUpdatedAt: true,
  deletedAt: true,
  variants: { select: { shopifyId: true, price: true, compareAtPrice: true, available: true, position: true } },
} as const;

/** One product joined with one of its variants (the variant's columns null when it has none). */
interface CatalogRow extends Omit<CatalogProduct, "variants" | "publishedAt" | "shopifyUpdatedAt" | "deletedAt"> {
  publishedAt: Date | string | null;
  shopifyUpdatedAt: Date | string;
  deletedAt: Date | string | null;
  variantShopifyId: string | null;
  price: string | null;
  compareAtPrice: string | null;
  available: boolean | null;
  position: number | null;
}

/**
 * These products of a shop with their variants, for their cards (a batch's products, so at most
 * a batch's worth of ids). On PostgreSQL one joined read on the client's own pg connection
 * (pg-direct.server.ts): through Prisma this read was the largest part of a webhook batch's
 * Prisma time (docs/decisions/014). Elsewhere, Prisma's findMany; a test holds both to one result.
 */
export async function readCatalogProducts(db: Db, shopId: string, ids: string[]): Promise<CatalogProduct[]> {
  if (ids.length === 0) return [];
  if (databaseKind(db) !== "postgres")
    return db.product.findMany({ where: { shopId, shopifyId: { in: ids } }, select: catalogSelect });
  const rows = await runRead<CatalogRow[]>(
    db,
    Prisma.sql`
    SELECT p."shopifyId", p."title", p."handle", p."status", p."isGiftCard", p."publishedAt", p."tags",
      p."imageUrl", p."imageWidth", p."imageHeight", p."imageAlt", p."shopifyUpdatedAt", p."deletedAt",
      v."shopifyId" AS "variantShopifyId", v."price"::text AS "price",
      v."compareAtPrice"::text AS "compareAtPrice", v."available", v."position"
    FROM "Product" p LEFT JOIN "Variant" v ON v."productId" = p."id"
    WHERE p."shopId" = ${shopId} AND ${inIds("postgres", `p."shopifyId"`, ids)}`,
  );
  const products = new Map<string, CatalogProduct>();
  for (const row of rows) {
    let product = products.get(row.shopifyId);
    if (!product) {
      product = {
        shopifyId: row.shopifyId,
        title: row.title,
        handle: row.handle,
        status: row.status,
        isGiftCard: row.isGiftCard,
        publishedAt: row.publishedAt === null ? null : new Date(row.publishedAt),
        tags: row.tags,
        imageUrl: row.imageUrl,
        imageWidth: row.imageWidth,
        imageHeight: row.imageHeight,
        imageAlt: row.imageAlt,
        shopifyUpdatedAt: new Date(row.shopifyUpdatedAt),
        deletedAt: row.deletedAt === null ? null : new Date(row.deletedAt),
        variants: [],
      };
      products.set(row.shopifyId, product);
    }
    if (row.variantShopifyId !== null)
      product.variants.push({
        shopifyId: row.variantShopifyId,
        price: row.price!,
        compareAtPrice: row.compareAtPrice,
        available: row.available!,
        position: row.position!,
      });
  }
  return [...products.values()];
}
