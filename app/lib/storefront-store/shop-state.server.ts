import type { RedisClient } from "../redis.server";
import { servingRow } from "../shops/registry.server";
import { shopKey } from "./keys";
import type { Db } from "../database/client.server";
import { parseStoredSettings, type ShopSettings } from "../settings/settings-schema";

/** What serving needs to know about a shop besides its lists. */
export interface ShopState {
  installed: boolean;
  settings: ShopSettings;
}

const stateKey = (prefix: string, shop: string) => shopKey(prefix, shop, "state");
/** A shop we have never seen is remembered briefly, so a burst of requests costs one query. */
const UNKNOWN_TTL_S = 60;
/** Known shops are re-read from the database now and then, in case an invalidation was lost. */
const KNOWN_TTL_S = 3_600;

/**
 * The shop's state from Redis; on a miss, from the database once, then cached. Every change to
 * it (install, uninstall, settings, redact) deletes the cached copy: see `forgetShopState`.
 * Returns null for a shop that never installed.
 */
export async function readShopState(
  db: Db,
  redis: RedisClient,
  prefix: string,
  shop: string,
  /** The cached value when the caller already fetched it (serving reads it with other keys). */
  prefetched?: string | null,
): Promise<ShopState | null> {
  const cached = prefetched === undefined ? await redis.get(stateKey(prefix, shop)) : prefetched;
  if (cached) return cached === "unknown" ? null : (JSON.parse(cached) as ShopState);
  const row = await servingRow(db, shop);
  if (!row) {
    await redis.set(stateKey(prefix, shop), "unknown", "EX", UNKNOWN_TTL_S);
    return null;
  }
  const state: ShopState = { installed: row.status === "installed", settings: parseStoredSettings(row.settings) };
  await redis.set(stateKey(prefix, shop), JSON.stringify(state), "EX", KNOWN_TTL_S);
  return state;
}

/** Call after changing anything `ShopState` holds; the next request reads it afresh. */
export async function forgetShopState(redis: RedisClient, prefix: string, shop: string): Promise<void> {
  await redis.del(stateKey(prefix, shop));
}
