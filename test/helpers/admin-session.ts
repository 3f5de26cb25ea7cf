import type { Db } from "../../app/lib/database/client.server";
import * as offline from "../../dev/offline-session";
import * as tokens from "../../dev/session-token";

export { embeddedQuery } from "../../dev/session-token";

/** Stores the offline session Shopify's token exchange would have produced at install. */
export async function storeOfflineSession(db: Db, shop: string): Promise<void> {
  await offline.storeOfflineSession(db, shop, { scope: process.env.SCOPES });
}

/** A session token as App Bridge would hand the app, signed with the app secret (the test's by default). */
export async function mintSessionToken(
  shop: string,
  overrides: Parameters<typeof tokens.mintSessionToken>[0]["overrides"] = {},
  secret: string = process.env.SHOPIFY_API_SECRET!,
): Promise<string> {
  return tokens.mintSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, secret, overrides });
}
