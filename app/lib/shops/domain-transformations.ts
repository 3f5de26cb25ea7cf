import type { DomainTransformation } from "@shopify/shopify-api";

/**
 * `customShopDomains` (a list of extra shop domains the Shopify libraries accept) is gone from
 * `@shopify/shopify-api` 15 and `@shopify/shopify-app-remix` 6; `domainTransformations` replaced
 * it. A transformation whose target is its own match accepts `<name>.<domain>` as a shop and
 * leaves it as it is, which is what the old option did.
 */
export function shopDomainTransformations(customDomain: string | undefined): DomainTransformation[] {
  if (!customDomain) return [];
  const escaped = customDomain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // The library reads the accepted domain back out of this regex's source, so keep its shape:
  // a subdomain group, then the escaped domain, anchored at the end.
  return [{ match: new RegExp(`^([a-zA-Z0-9][a-zA-Z0-9-_]*)\\.${escaped}$`), transform: `$1.${customDomain}` }];
}
