import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "../app/lib/db.server";

/**
 * Shopify's side of an installed, embedded app, for tests and the demo's local admin preview:
 * the offline session a token exchange would have stored, and the session tokens App Bridge
 * would hand the app. Both go through the app's real verification.
 */

/** Stores the offline session Shopify's token exchange would have produced at install. */
export async function storeOfflineSession(
  db: Db,
  shop: string,
  options: { scope?: string; accessToken?: string } = {},
): Promise<void> {
  const storage = new PrismaSessionStorage(db);
  await storage.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: options.scope,
      // Never used to call Shopify offline: the tests and the demo fake Shopify at its boundary.
      accessToken: options.accessToken ?? "shpat_offline_test_token",
    }),
  );
}

/** A session token as App Bridge would hand the app, signed with the app secret. */
export async function mintSessionToken(options: {
  shop: string;
  apiKey: string;
  secret: string;
  overrides?: Parameters<typeof getJwt>[3];
}): Promise<string> {
  // getJwt appends ".myshopify.com" itself, so it takes the bare store name.
  const store = options.shop.replace(/\.myshopify\.com$/, "");
  const { token } = await getJwt(store, options.apiKey, options.secret, options.overrides ?? {});
  return token;
}

/** The query Shopify's admin adds when it opens an embedded app's first document. */
export function embeddedQuery(shop: string, idToken: string): string {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
  return new URLSearchParams({ embedded: "1", shop, host, id_token: idToken, locale: "en" }).toString();
}
