import type { Db } from "../db.server";

/**
 * The shop row for a verified delivery, created on first sight: a webhook can arrive before the
 * install flow finished writing it.
 */
export async function ensureShopId(db: Db, domain: string): Promise<string> {
  const shop = await db.shop.upsert({ where: { domain }, create: { domain }, update: {}, select: { id: true } });
  return shop.id;
}
