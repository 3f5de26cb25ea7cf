import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { deleteMatching } from "../../app/lib/storefront-store/delete-matching.server";
import { everyKeyPattern } from "../../app/lib/storefront-store/keys";

/**
 * A Redis key prefix of this test's own (a hash tag, as production uses), and a cleanup that
 * deletes every key under it, so tests never see each other's queues: the same sweep as the
 * demo's reset and a shop's uninstall (deleteMatching over keys.ts's patterns).
 */
export function createTestPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `{test-${randomUUID()}}`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      try {
        await deleteMatching(redis, everyKeyPattern(prefix));
      } finally {
        redis.disconnect();
      }
    },
  };
}
