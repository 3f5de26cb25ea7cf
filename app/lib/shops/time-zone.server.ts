import type { DbClient } from "../database/client.server";
import { DEFAULT_TIME_ZONE } from "../time-zone";

/** The zone the shop's rollup days are in (UTC for a shop not stored yet). */
export async function shopTimeZone(db: DbClient, shopId: string): Promise<string> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { timeZone: true } });
  return shop?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** The zone in use and the last zone Shopify reported that we could not use (null if none). */
export function storedTimeZone(db: DbClient, shopId: string) {
  return db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { timeZone: true, timeZoneRejected: true } });
}

export async function saveTimeZone(
  db: DbClient,
  shopId: string,
  zone: { timeZone?: string; timeZoneRejected: string | null },
): Promise<void> {
  await db.shop.update({ where: { id: shopId }, data: zone });
}
