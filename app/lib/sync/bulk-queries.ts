/**
 * The Admin GraphQL (2026-10) queries the install backfill runs as bulk operations. A bulk query
 * selects one top-level connection; nested connections (variants, line items) come back as
 * separate JSONL lines that name their parent in `__parentId`, and take no `first:` argument.
 */

export type BackfillResource = "products" | "orders";

/** Every product with its variants and featured image. Product.featuredImage is deprecated. */
export const PRODUCTS_BULK_QUERY = `{
  products {
    edges {
      node {
        id
        title
        handle
        productType
        vendor
        tags
        status
        isGiftCard
        publishedAt
        createdAt
        updatedAt
        featuredMedia { preview { image { url width height altText } } }
        variants {
          edges {
            node { id title sku price compareAtPrice position availableForSale inventoryQuantity }
          }
        }
      }
    }
  }
}`;

/**
 * Orders created at or after `since`, with their line items. Amounts are read in shop money, the
 * currency `currencyCode` names. Shopify returns orders older than 60 days only to apps granted
 * read_all_orders; without it the filter still runs and older orders are simply absent.
 */
export function ordersBulkQuery(since: Date): string {
  // Search syntax wants an ISO timestamp; whole seconds keep the query stable across retries.
  const filter = `created_at:>=${since.toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  return `{
  orders(query: ${JSON.stringify(filter)}) {
    edges {
      node {
        id
        name
        customer { id }
        currencyCode
        subtotalPriceSet { shopMoney { amount } }
        totalPriceSet { shopMoney { amount } }
        displayFinancialStatus
        sourceName
        customAttributes { key value }
        test
        processedAt
        createdAt
        updatedAt
        cancelledAt
        lineItems {
          edges {
            node {
              id
              product { id }
              variant { id }
              title
              quantity
              originalUnitPriceSet { shopMoney { amount } }
              customAttributes { key value }
            }
          }
        }
      }
    }
  }
}`;
}

/** The bulk query for a resource. `since` only applies to orders (the catalog is imported whole). */
export function bulkQueryFor(resource: BackfillResource, since: Date | null): string {
  if (resource === "products") return PRODUCTS_BULK_QUERY;
  if (!since) throw new Error("an orders backfill needs a `since` date");
  return ordersBulkQuery(since);
}
