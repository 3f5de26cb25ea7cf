import { getJwt } from "@shopify/shopify-api/test-helpers";

/**
 * What Shopify's admin hands an embedded app, for tests and the demo's local admin preview:
 * session tokens signed with the app secret, so the app's real verification runs.
 */

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
