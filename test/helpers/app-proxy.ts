import { signAppProxyQuery, type ProxyContext } from "../../dev/app-proxy-signature";

export { appProxySignature, signAppProxyQuery } from "../../dev/app-proxy-signature";

/**
 * The URL the app receives when a shopper requests `/apps/affinity/<path>?<query>` on the
 * storefront: Shopify rewrites the path to the app's proxy URL and signs the query.
 */
export function appProxyUrl(
  origin: string,
  path: string,
  query: Record<string, string> | URLSearchParams,
  context: ProxyContext,
): string {
  const secret = process.env.SHOPIFY_API_SECRET!;
  const signed = signAppProxyQuery(new URLSearchParams(query), context, secret);
  return `${origin}/apps/affinity/${path}?${signed}`;
}
