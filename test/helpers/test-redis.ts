import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/**
 * A Redis key prefix of this test's own (a hash tag, as production uses), and a cleanup that
 * deletes every key under it, so tests never see each other's queues. The storefront's keys use
 * the prefix without its braces (see storefront-store/keys.ts), so both spellings are swept.
 */
export function createTestPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `{test-${randomUUID()}}`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      try {
        for (const pattern of [`${prefix}*`, `${prefix.replace(/[{}]/g, "")}*`]) {
          let cursor = "0";
          do {
            const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = next;
            if (keys.length > 0) await redis.del(...keys);
          } while (cursor !== "0");
        }
      } finally {
        redis.disconnect();
      }
    },
  };
}
