import { appProxySignature } from "../app/lib/app-proxy/verify-signature";

/*
 * Shopify's side of the App Proxy, for tests, the demo's local storefront and the serving
 * benchmark: Shopify appends `shop`, `logged_in_customer_id`, `path_prefix` and `timestamp` to
 * the shopper's query and signs it. The app only verifies (app/lib/app-proxy).
 */
export { appProxySignature };

export interface ProxyContext {
  shop: string;
  /** Empty for an anonymous shopper, as Shopify sends it. */
  loggedInCustomerId?: string;
  /** The storefront prefix the shopper used. @defaultValue "/apps/affinity" */
  pathPrefix?: string;
  /** Seconds since the epoch. @defaultValue now */
  timestamp?: number;
}

/** The shopper's query plus what Shopify's proxy adds, signed. */
export function signAppProxyQuery(query: URLSearchParams, context: ProxyContext, secret: string): URLSearchParams {
  const signed = new URLSearchParams(query);
  for (const key of ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]) signed.delete(key);
  signed.set("shop", context.shop);
  signed.set("logged_in_customer_id", context.loggedInCustomerId ?? "");
  signed.set("path_prefix", context.pathPrefix ?? "/apps/affinity");
  signed.set("timestamp", String(context.timestamp ?? Math.floor(Date.now() / 1000)));
  signed.set("signature", appProxySignature(signed, secret));
  return signed;
}
