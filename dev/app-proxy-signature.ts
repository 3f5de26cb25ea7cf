import { createHmac } from "node:crypto";

/**
 * Shopify's App Proxy signature, produced the way Shopify produces it, for tests, the demo's
 * local storefront and the serving benchmark. The app itself only verifies, through
 * `authenticate.public.appProxy`.
 *
 * Shopify appends `shop`, `logged_in_customer_id`, `path_prefix` and `timestamp` to the
 * shopper's query, then signs every pair except `signature`: keys sorted, each written
 * `key=value` (repeated keys joined with commas), concatenated with no separator, HMAC-SHA256
 * in hex with the app's secret.
 */
export function appProxySignature(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

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
