import { inRebuildTransaction, rebuildRollups } from "../conversion/rollup-rebuild.server";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { AdminApiError, type AdminGraphql } from "../shopify/admin-client.server";
import { saveTimeZone, storedTimeZone } from "../shops/time-zone.server";
import { resolveTimeZone } from "../time-zone";
import { ensureShopId } from "../shops/registry.server";

/** Shopify's name for the shop's zone, read by the backfill when the app is installed. */
export const SHOP_TIME_ZONE_QUERY = `#graphql
  query AffinityShopTimeZone { shop { ianaTimezone } }`;

export interface ShopTimeZoneResult {
  timeZone: string;
  /** The zone changed, so the shop's rollups were rebuilt for it. */
  rebuilt: boolean;
}

/**
 * Stores the zone Shopify reported for a shop (install, shop/update). A value that is not a zone
 * falls back to UTC; it is logged the first time it is seen and kept so the admin can show it.
 * When the zone in use changes, the shop's rollups are rebuilt in the new zone in the same
 * transaction (docs/decisions/008), so a day never mixes two zones.
 */
export async function applyShopTimeZone(
  db: Db,
  domain: string,
  reported: unknown,
  log: Pick<Logger, "warn" | "info">,
): Promise<ShopTimeZoneResult> {
  const { zone, rejected } = resolveTimeZone(reported);
  const shopId = await ensureShopId(db, domain);
  const current = await storedTimeZone(db, shopId);
  if (rejected !== null && rejected !== current.timeZoneRejected) {
    log.warn("shop.time_zone_unknown", { shop: domain, reported: rejected, using: zone });
  }
  if (zone === current.timeZone) {
    if (rejected !== current.timeZoneRejected) {
      await saveTimeZone(db, shopId, { timeZoneRejected: rejected });
    }
    return { timeZone: zone, rebuilt: false };
  }
  const counts = await inRebuildTransaction(db, async (tx) => {
    await saveTimeZone(tx, shopId, { timeZone: zone, timeZoneRejected: rejected });
    return rebuildRollups(tx, shopId, domain, zone);
  });
  log.info("shop.time_zone_changed", { shop: domain, from: current.timeZone, to: zone, ...counts });
  return { timeZone: zone, rebuilt: true };
}

/**
 * Asks Shopify for the shop's zone and stores it. A failed read keeps the zone the shop has:
 * it must not hold up the history import, and shop/update or the next backfill reads it again.
 */
export async function syncShopTimeZone(
  db: Db,
  admin: AdminGraphql,
  domain: string,
  log: Pick<Logger, "warn" | "info">,
): Promise<ShopTimeZoneResult | null> {
  let reported: unknown;
  try {
    reported = (await admin<{ shop: { ianaTimezone?: unknown } }>(SHOP_TIME_ZONE_QUERY)).shop.ianaTimezone;
  } catch (error) {
    if (!(error instanceof AdminApiError) && !(error instanceof TypeError)) throw error;
    log.warn("shop.time_zone_unread", { shop: domain, error });
    return null;
  }
  return applyShopTimeZone(db, domain, reported, log);
}
