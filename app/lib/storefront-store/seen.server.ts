import type { RedisClient } from "../redis.server";
import { shopKey } from "./keys";
import { cacheNow } from "./cache-clock";

const seenKey = (prefix: string, shop: string) => shopKey(prefix, shop, "seen");
/** A process records a shop's storefront activity at most this often. */
const RECORD_EVERY_MS = 60_000;

/**
 * When the shop's storefront last asked for recommendations: the sign that the block is on a
 * live theme (onboarding shows it). Cheap enough for the hot path: one SET per shop per minute
 * per process, not awaited by the request.
 */
export function createSeenRecorder(redis: RedisClient, prefix: string, now: () => number = cacheNow) {
  const last = new Map<string, number>();
  return (shop: string): void => {
    const at = now();
    if ((last.get(shop) ?? -Infinity) > at - RECORD_EVERY_MS) return;
    last.set(shop, at);
    redis.set(seenKey(prefix, shop), String(at)).catch(() => last.delete(shop));
  };
}

/** The last time the shop's storefront block asked for recommendations, or null. */
export async function storefrontLastSeen(redis: RedisClient, prefix: string, shop: string): Promise<Date | null> {
  const value = await redis.get(seenKey(prefix, shop));
  return value ? new Date(Number(value)) : null;
}
