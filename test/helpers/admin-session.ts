import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "../../app/lib/db.server";

/** Stores the offline session Shopify's token exchange would have produced at install. */
export async function storeOfflineSession(db: Db, shop: string): Promise<void> {
  const storage = new PrismaSessionStorage(db);
  await storage.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: process.env.SCOPES,
      accessToken: "shpat_offline_test_token",
    }),
  );
}

/** A session token as App Bridge would hand the app, signed with the app secret. */
export async function mintSessionToken(
  shop: string,
  overrides: Parameters<typeof getJwt>[3] = {},
  secret: string = process.env.SHOPIFY_API_SECRET!,
): Promise<string> {
  // getJwt appends ".myshopify.com" itself, so it takes the bare store name.
  const store = shop.replace(/\.myshopify\.com$/, "");
  const { token } = await getJwt(store, process.env.SHOPIFY_API_KEY!, secret, overrides);
  return token;
}

/** The query Shopify's admin adds when it opens an embedded app's first document. */
export function embeddedQuery(shop: string, idToken: string): string {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
  return new URLSearchParams({ embedded: "1", shop, host, id_token: idToken, locale: "en" }).toString();
}
