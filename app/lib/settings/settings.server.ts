import type { Db } from "../db.server";
import { parseStoredSettings, type ShopSettings } from "./schema";

/** A shop's settings as stored, with defaults for what it never set (and for an unknown shop). */
export async function shopSettings(db: Db, shop: string): Promise<ShopSettings> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  return parseStoredSettings(row?.settings);
}
