/**
 * The parts of the order upsert both write paths share (the portable multi-row VALUES in
 * batch-records.server.ts, PostgreSQL's unnest in batch-orders-postgres.server.ts): the columns
 * written, and the rule that a stored order changes only for a newer Shopify version.
 */
import { Prisma } from "@prisma/client";

export const ORDER_INSERT_COLUMNS = Prisma.raw(`("id", "shopId", "shopifyId", "name", "customerShopifyId", "currency",
      "subtotalPrice", "totalPrice", "financialStatus", "sourceName", "noteAttributes", "test", "processedAt",
      "shopifyCreatedAt", "shopifyUpdatedAt", "cancelledAt", "createdAt", "updatedAt")`);

export const ORDER_CONFLICT_UPDATE = Prisma.raw(`ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "name" = excluded."name", "customerShopifyId" = excluded."customerShopifyId", "currency" = excluded."currency",
      "subtotalPrice" = excluded."subtotalPrice", "totalPrice" = excluded."totalPrice",
      "financialStatus" = excluded."financialStatus", "sourceName" = excluded."sourceName",
      "noteAttributes" = excluded."noteAttributes", "test" = excluded."test", "processedAt" = excluded."processedAt",
      "shopifyCreatedAt" = excluded."shopifyCreatedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "cancelledAt" = excluded."cancelledAt", "updatedAt" = excluded."updatedAt"
    WHERE excluded."shopifyUpdatedAt" > "Order"."shopifyUpdatedAt"`);
