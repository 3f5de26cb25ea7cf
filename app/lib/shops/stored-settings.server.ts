import type { Db } from "../database/client.server";
import { parseStoredSettings, type ShopSettings } from "../settings/settings-schema";

/** A shop's settings as stored, with defaults for what it never set (and for an unknown shop). */
export async function shopSettings(db: Db, shop: string): Promise<ShopSettings> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  return parseStoredSettings(row?.settings);
}

/** Stores a shop's settings; the caller forgets the storefront's cached copy. */
export async function storeShopSettings(db: Db, shopId: string, settings: ShopSettings): Promise<void> {
  await db.shop.update({ where: { id: shopId }, data: { settings: JSON.stringify(settings) } });
}
