import { z } from "zod";
import type { Db } from "../database/client.server";
import type { RedisClient } from "../redis.server";
import { shopKey } from "../storefront-store/keys";

export interface RepeatRate {
  /** Share of the products in customers' latest orders that the same customer had bought before. */
  share: number;
  /** Products (distinct per customer) in those latest orders. */
  items: number;
  /** Repeat customers the figure is based on. */
  customers: number;
  /** Whether to show shoppers products they bought before, judged from `share`. */
  suggestIncludePurchased: boolean;
}

/**
 * From this share of repeat items up, showing past purchases helps more than it annoys: the
 * "repeat" baseline then tends to be the best ranker (shared/data/README.md: 39% on the UCI
 * shop, where repeat wins clearly), while shops at a few percent sell one-off items.
 */
export const INCLUDE_PURCHASED_FROM_SHARE = 0.2;
/** The most recent repeat customers sampled: enough for a suggestion, bounded on big shops. */
const SAMPLE_CUSTOMERS = 1_000;

interface Row {
  items: bigint | number | null;
  repeated: bigint | number | null;
  customers: bigint | number | null;
}

/**
 * The shop's repeat rate, measured the way the data README does: for each customer with two or
 * more orders, the products of their latest order, and how many of those they had bought in an
 * earlier order. Cancelled and test orders do not count. Null when no customer ordered twice.
 * One SQL statement that SQLite and PostgreSQL both run; no order rows reach the app.
 */
export async function shopRepeatRate(db: Db, shopId: string): Promise<RepeatRate | null> {
  const [row] = await db.$queryRaw<Row[]>`
    WITH customer_last AS (
      SELECT "customerShopifyId" AS customer, MAX("processedAt") AS last_at
      FROM "Order"
      WHERE "shopId" = ${shopId} AND "customerShopifyId" IS NOT NULL AND "cancelledAt" IS NULL AND "test" = false
      GROUP BY "customerShopifyId"
      HAVING COUNT(*) > 1
      ORDER BY last_at DESC
      LIMIT ${SAMPLE_CUSTOMERS}
    ),
    last_items AS (
      SELECT DISTINCT c.customer, c.last_at, l."productShopifyId" AS product
      FROM customer_last c
      JOIN "Order" o ON o."shopId" = ${shopId} AND o."customerShopifyId" = c.customer AND o."processedAt" = c.last_at
      JOIN "OrderLine" l ON l."orderId" = o."id"
      WHERE l."productShopifyId" IS NOT NULL AND o."cancelledAt" IS NULL AND o."test" = false
    )
    SELECT
      COUNT(*) AS items,
      COUNT(DISTINCT i.customer) AS customers,
      SUM(CASE WHEN EXISTS (
        SELECT 1 FROM "Order" p JOIN "OrderLine" pl ON pl."orderId" = p."id"
        WHERE p."shopId" = ${shopId} AND p."customerShopifyId" = i.customer AND p."processedAt" < i.last_at
          AND p."cancelledAt" IS NULL AND p."test" = false AND pl."productShopifyId" = i.product
      ) THEN 1 ELSE 0 END) AS repeated
    FROM last_items i`;
  const items = Number(row?.items ?? 0);
  if (items === 0) return null;
  const share = Number(row?.repeated ?? 0) / items;
  return {
    share,
    items,
    customers: Number(row?.customers ?? 0),
    suggestIncludePurchased: share >= INCLUDE_PURCHASED_FROM_SHARE,
  };
}

/** A shop's repeat rate moves slowly; a day-old figure is as good a suggestion as a fresh one. */
const CACHE_TTL_S = 24 * 3600;

/**
 * The repeat rate as the settings page reads it: from Redis, where the last measurement stays
 * for a day, so opening the page reads one key instead of grouping the shop's orders each time.
 */
export async function cachedRepeatRate(
  deps: { db: Db; redis: RedisClient; prefix: string },
  shop: { id: string; domain: string },
): Promise<RepeatRate | null> {
  const key = shopKey(deps.prefix, shop.domain, "repeat-rate");
  const cached = await deps.redis.get(key);
  if (cached) return cachedValue.parse(JSON.parse(cached)).rate;
  const rate = await shopRepeatRate(deps.db, shop.id);
  await deps.redis.set(key, JSON.stringify({ rate }), "EX", CACHE_TTL_S);
  return rate;
}

const cachedValue = z.object({
  rate: z
    .object({ share: z.number(), items: z.number(), customers: z.number(), suggestIncludePurchased: z.boolean() })
    .nullable(),
});
