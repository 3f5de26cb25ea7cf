import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import { demoPaths } from "../../scripts/demo/config";
import { clearStaleDemoKeys, markRedisResetPending, resetRedisIfPending } from "../../scripts/demo/redis";
import { createTestPrefix } from "../helpers/test-redis";

/**
 * A demo folder deleted while Redis kept running: the new database must not inherit the old one's
 * seen-webhook ids, queues and lists (the app would drop the replay's webhooks as repeats).
 */
describe("the demo's Redis reset for a new database (real Redis)", () => {
  const mine = createTestPrefix();
  const other = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(async () => {
    redis.disconnect();
    await mine.cleanup();
    await other.cleanup();
  });

  it("deletes every key under the demo's prefix and its storefront space, and nothing of another prefix", async () => {
    const shop = "reset.myshopify.com";
    const stale = [
      `${mine.prefix}:webhooks:seen:abc`,
      `${mine.prefix}:events:id:1`,
      `${mine.prefix}:exposed:{${shop}}:v1`,
      shopKey(mine.prefix, shop, "active"),
      shopKey(mine.prefix, shop, "cards"),
    ];
    const kept = [`${other.prefix}:webhooks:seen:abc`, shopKey(other.prefix, shop, "active")];
    for (const key of [...stale, ...kept]) await redis.set(key, "1");
    // Enough keys that the scan takes several batches.
    for (let i = 0; i < 2500; i++) await redis.set(`${mine.prefix}:webhooks:seen:${i}`, "1");

    expect(await clearStaleDemoKeys(process.env.REDIS_URL!, mine.prefix)).toBe(stale.length + 2500);
    expect(await redis.exists(...stale)).toBe(0);
    expect(await redis.exists(...kept)).toBe(kept.length);
    // A second call finds nothing left.
    expect(await clearStaleDemoKeys(process.env.REDIS_URL!, mine.prefix)).toBe(0);
  });

  it("resets only when a new database marked it, once, and never under the app's own prefix", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "demo-reset-"));
    const paths = demoPaths(process.cwd(), dir);
    try {
      const key = `${mine.prefix}:webhooks:seen:later`;
      await redis.set(key, "1");
      // No new database: nothing happens.
      expect(await resetRedisIfPending(paths, process.env.REDIS_URL!, mine.prefix)).toBe("none pending");
      expect(await redis.exists(key)).toBe(1);
      // The app's own prefix, or one sharing its storefront space, is never cleared.
      for (const appPrefix of ["{affinity}", "affinity"]) {
        markRedisResetPending(paths);
        expect(await resetRedisIfPending(paths, process.env.REDIS_URL!, appPrefix)).toBe("app prefix");
      }
      // A new database: cleared once; the marker goes with it.
      markRedisResetPending(paths);
      expect(await resetRedisIfPending(paths, process.env.REDIS_URL!, mine.prefix)).toBe(1);
      expect(await redis.exists(key)).toBe(0);
      expect(await resetRedisIfPending(paths, process.env.REDIS_URL!, mine.prefix)).toBe("none pending");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
