/**
 * Reads that only tests need: the app serves through the storefront store's own paths, and
 * the tests use these to look at what a run or a refusal left behind.
 */
import type { Db } from "../../app/lib/database/client.server";
import type { RedisClient } from "../../app/lib/redis.server";
import type { RefusalReason } from "../../app/lib/events/limits.server";
import { eventsRefusedKey, shopKey } from "../../app/lib/storefront-store/keys";

/** The run a shop is served now, or null before its first training. */
export function activeRunId(redis: RedisClient, prefix: string, shop: string): Promise<string | null> {
  return redis.get(shopKey(prefix, shop, "active"));
}

/** Refused events of one day: by reason overall, or by reason for one shop. */
export async function refusedCounts(
  redis: RedisClient,
  prefix: string,
  day: string,
  shop?: string,
): Promise<Partial<Record<RefusalReason, number>>> {
  const counts: Partial<Record<RefusalReason, number>> = {};
  for (const [field, value] of Object.entries(await redis.hgetall(eventsRefusedKey(prefix, day)))) {
    const [first, second] = field.split("|");
    if (shop ? first === shop && second : !second) counts[(second ?? first) as RefusalReason] = Number(value);
  }
  return counts;
}

interface ArmDay {
  day: string;
  arm: string;
  visitors: number;
  exposedVisitors: number;
  clicks: number;
  addToCarts: number;
  orders: number;
  revenue: number;
  /** Orders per exposed visitor of the day; null without exposed visitors. */
  conversionRate: number | null;
  revenuePerVisitor: number | null;
}

/** One experiment's stored rollups, per day and arm. */
export async function experimentDays(db: Db, experimentId: string): Promise<ArmDay[]> {
  const rows = await db.dailyRollup.findMany({ where: { experimentId }, orderBy: [{ day: "asc" }, { arm: "asc" }] });
  return rows.map((r) => ({
    day: r.day.toISOString().slice(0, 10),
    arm: r.arm,
    visitors: r.visitors,
    exposedVisitors: r.exposedVisitors,
    clicks: r.clicks,
    addToCarts: r.addToCarts,
    orders: r.orders,
    revenue: Number(r.revenue),
    conversionRate: r.exposedVisitors ? r.orders / r.exposedVisitors : null,
    revenuePerVisitor: r.exposedVisitors ? Number(r.revenue) / r.exposedVisitors : null,
  }));
}
