import type { Db } from "../../app/lib/db.server";
import * as dev from "../../dev/admin-session";

export { embeddedQuery } from "../../dev/admin-session";

/** Stores the offline session Shopify's token exchange would have produced at install. */
export async function storeOfflineSession(db: Db, shop: string): Promise<void> {
  await dev.storeOfflineSession(db, shop, { scope: process.env.SCOPES });
}

/** A session token as App Bridge would hand the app, signed with the app secret (the test's by default). */
export async function mintSessionToken(
  shop: string,
  overrides: Parameters<typeof dev.mintSessionToken>[0]["overrides"] = {},
  secret: string = process.env.SHOPIFY_API_SECRET!,
): Promise<string> {
  return dev.mintSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, secret, overrides });
}
