import { randomUUID } from "node:crypto";
import type { RedisClient } from "../redis.server";

/**
 * A per-shop lock in Redis, so two workers never train the same shop at once (a shop's two job
 * slots could otherwise be picked up together). It expires by itself, so a killed worker cannot
 * hold it for ever; the holder renews it while it works.
 */
export async function acquireShopLock(
  redis: RedisClient,
  key: string,
  ttlMs: number,
): Promise<(() => Promise<void>) | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") return null;
  const renew = setInterval(() => void redis.pexpire(key, ttlMs).catch(() => undefined), ttlMs / 3);
  renew.unref();
  return async () => {
    clearInterval(renew);
    // Delete only our own lock: compare-and-delete in one step.
    await redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      key,
      token,
    );
  };
}
