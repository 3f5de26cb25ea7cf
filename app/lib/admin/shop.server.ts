import type { Db } from "../db.server";

/**
 * The session's shop has no row yet. afterAuth writes it on install, so this is a page opened in
 * the moment between token exchange and that write, or a shop whose data was redacted.
 */
export class ShopNotFoundError extends Error {
  override name = "ShopNotFoundError";
  readonly status = 404;
  constructor(readonly shop: string) {
    super(`No shop ${shop}; reload the app from the Shopify admin to finish installing`);
  }
}

/**
 * The shop row an admin page works on. The domain always comes from the verified session
 * token (authenticate.admin), never from a query or form field, so no request can reach another
 * shop's row.
 */
export async function requireShop(db: Db, domain: string) {
  const shop = await db.shop.findUnique({ where: { domain } });
  if (!shop) throw new ShopNotFoundError(domain);
  return shop;
}
