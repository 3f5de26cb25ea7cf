/**
 * The parts of the batched upserts that both write paths share: the portable multi-row VALUES
 * (batch-records.server.ts, SQLite and any client) and PostgreSQL's column-wise unnest
 * (batch-orders-postgres.server.ts, batch-catalog-postgres.server.ts). For each table: the
 * columns written, in the order the rows are given, and the ON CONFLICT clause, which holds the
 * rules: a stored row changes only for a newer Shopify version (`shopifyUpdatedAt`), a deleted
 * product stays deleted, and rows are keyed by (shopId, shopifyId), so shops never meet.
 */
import { Prisma } from "@prisma/client";

/** `("a", "b", …)`: an INSERT's column list. */
export const columnList = (names: readonly string[]) => Prisma.raw(`(${names.map((n) => `"${n}"`).join(", ")})`);

export const ORDER_COLUMNS = [
  "id",
  "shopId",
  "shopifyId",
  "name",
  "customerShopifyId",
  "currency",
  "subtotalPrice",
  "totalPrice",
  "financialStatus",
  "sourceName",
  "noteAttributes",
  "test",
  "processedAt",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "cancelledAt",
  "createdAt",
  "updatedAt",
] as const;

export const ORDER_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "name" = excluded."name", "customerShopifyId" = excluded."customerShopifyId", "currency" = excluded."currency",
      "subtotalPrice" = excluded."subtotalPrice", "totalPrice" = excluded."totalPrice",
      "financialStatus" = excluded."financialStatus", "sourceName" = excluded."sourceName",
      "noteAttributes" = excluded."noteAttributes", "test" = excluded."test", "processedAt" = excluded."processedAt",
      "shopifyCreatedAt" = excluded."shopifyCreatedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "cancelledAt" = excluded."cancelledAt", "updatedAt" = excluded."updatedAt"
    WHERE excluded."shopifyUpdatedAt" > "Order"."shopifyUpdatedAt"`);

export const ORDER_LINE_COLUMNS = [
  "id",
  "shopId",
  "orderId",
  "shopifyId",
  "productShopifyId",
  "variantShopifyId",
  "title",
  "quantity",
  "price",
  "properties",
] as const;

/** A line listed under another order before (not expected from Shopify) follows the order that lists it now. */
export const ORDER_LINE_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "orderId" = excluded."orderId", "productShopifyId" = excluded."productShopifyId",
      "variantShopifyId" = excluded."variantShopifyId", "title" = excluded."title",
      "quantity" = excluded."quantity", "price" = excluded."price", "properties" = excluded."properties"`);

export const PRODUCT_COLUMNS = [
  "id",
  "shopId",
  "shopifyId",
  "title",
  "handle",
  "productType",
  "vendor",
  "tags",
  "status",
  "isGiftCard",
  "publishedAt",
  "imageUrl",
  "imageWidth",
  "imageHeight",
  "imageAlt",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "createdAt",
  "updatedAt",
] as const;

/** A tombstoned product (deletedAt set) is never brought back by a create or update. */
export const PRODUCT_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "title" = excluded."title", "handle" = excluded."handle", "productType" = excluded."productType",
      "vendor" = excluded."vendor", "tags" = excluded."tags", "status" = excluded."status",
      "isGiftCard" = excluded."isGiftCard", "publishedAt" = excluded."publishedAt",
      "imageUrl" = excluded."imageUrl", "imageWidth" = excluded."imageWidth",
      "imageHeight" = excluded."imageHeight", "imageAlt" = excluded."imageAlt",
      "shopifyCreatedAt" = excluded."shopifyCreatedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "updatedAt" = excluded."updatedAt"
    WHERE "Product"."deletedAt" IS NULL AND excluded."shopifyUpdatedAt" > "Product"."shopifyUpdatedAt"`);

/** A products/delete: the row it leaves for a product never seen, so a late create cannot revive it. */
export const TOMBSTONE_COLUMNS = [
  "id",
  "shopId",
  "shopifyId",
  "title",
  "handle",
  "status",
  "shopifyUpdatedAt",
  "deletedAt",
  "createdAt",
  "updatedAt",
] as const;

/** The first delete wins: a product already deleted keeps its deletedAt. */
export const TOMBSTONE_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "deletedAt" = excluded."deletedAt", "updatedAt" = excluded."updatedAt"
    WHERE "Product"."deletedAt" IS NULL`);

export const VARIANT_COLUMNS = [
  "id",
  "shopId",
  "productId",
  "shopifyId",
  "title",
  "sku",
  "price",
  "compareAtPrice",
  "position",
  "available",
  "inventoryQuantity",
  "updatedAt",
] as const;

/** A variant moved between products keeps its id and follows the product that now lists it. */
export const VARIANT_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "productId" = excluded."productId", "title" = excluded."title", "sku" = excluded."sku",
      "price" = excluded."price", "compareAtPrice" = excluded."compareAtPrice",
      "position" = excluded."position", "available" = excluded."available",
      "inventoryQuantity" = excluded."inventoryQuantity", "updatedAt" = excluded."updatedAt"`);

export const CUSTOMER_COLUMNS = [
  "id",
  "shopId",
  "shopifyId",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "createdAt",
  "updatedAt",
] as const;

export const CUSTOMER_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "shopifyCreatedAt" = excluded."shopifyCreatedAt",
      "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "updatedAt" = excluded."updatedAt"
    WHERE excluded."shopifyUpdatedAt" > "Customer"."shopifyUpdatedAt"`);
