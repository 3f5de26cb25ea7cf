import { Cluster } from "ioredis";
import type { RedisClient } from "../redis.server";

/** Keys asked for per SCAN step: large enough to walk a big keyspace in few round trips. */
const SCAN_COUNT = 1_000;

/**
 * Deletes every key that matches any of `patterns` (SCAN patterns, from keys.ts) and returns how
 * many went. The one way Affinity clears a space of keys: a shop's lists (uninstall,
 * shop/redact), the demo's keys for a new database, a test's own prefix.
 *
 * SCAN walks one node, so on a cluster every master is walked. The keys a node returns may lie
 * in many slots, where one multi-key UNLINK would be refused (CROSSSLOT), so they go one UNLINK
 * each, pipelined to the node that holds them. UNLINK frees memory off Redis's main thread: a
 * large list hash does not stall serving.
 */
export async function deleteMatching(redis: RedisClient, patterns: readonly string[]): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let deleted = 0;
  for (const node of nodes) {
    for (const match of patterns) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", match, "COUNT", SCAN_COUNT);
        cursor = next;
        if (keys.length === 0) continue;
        const replies = (await node.pipeline(keys.map((key) => ["unlink", key])).exec()) ?? [];
        for (const [err, n] of replies) {
          if (err) throw err;
          deleted += Number(n);
        }
      } while (cursor !== "0");
    }
  }
  return deleted;
}
