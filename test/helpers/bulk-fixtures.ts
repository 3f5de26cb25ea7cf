/**
 * Shop data in the shape the Admin GraphQL API (2026-10) returns for the backfill's bulk queries,
 * nested the way a normal query would nest it; `bulkJsonl` flattens it into a bulk result file.
 */

export interface GraphqlObject {
  id: string;
  [field: string]: unknown;
}
export interface GraphqlProduct extends GraphqlObject {
  variants?: GraphqlObject[];
}
export interface GraphqlOrder extends GraphqlObject {
  lineItems?: GraphqlObject[];
}

export const productGid = (n: number) => `gid://shopify/Product/${1000 + n}`;
export const variantGid = (n: number, v: number) => `gid://shopify/ProductVariant/${(1000 + n) * 10 + v}`;

export function graphqlProduct(n: number, overrides: Partial<GraphqlProduct> = {}): GraphqlProduct {
  return {
    id: productGid(n),
    title: `Product ${n}`,
    handle: `product-${n}`,
    productType: "Shirts",
    vendor: "Acme",
    tags: ["summer", "cotton"],
    status: "ACTIVE",
    isGiftCard: false,
    publishedAt: "2026-01-05T09:00:00Z",
    createdAt: "2025-06-01T08:00:00Z",
    updatedAt: "2026-11-01T10:00:00Z",
    featuredMedia: {
      preview: {
        image: { url: `https://cdn.shopify.com/p${n}.jpg`, width: 800, height: 600, altText: `Product ${n}` },
      },
    },
    variants: [1, 2].map((v) => ({
      id: variantGid(n, v),
      title: v === 1 ? "Small" : "Large",
      sku: `SKU-${n}-${v}`,
      price: "19.90",
      compareAtPrice: v === 2 ? "24.00" : null,
      position: v,
      availableForSale: v === 1,
      inventoryQuantity: v === 1 ? 5 : 0,
    })),
    ...overrides,
  };
}

export function graphqlOrder(n: number, options: { createdAt?: string; lines?: number } = {}): GraphqlOrder {
  const createdAt = options.createdAt ?? "2026-10-01T12:00:00Z";
  return {
    id: `gid://shopify/Order/${5000 + n}`,
    name: `#${1000 + n}`,
    customer: { id: `gid://shopify/Customer/${700 + n}` },
    currencyCode: "EUR",
    subtotalPriceSet: { shopMoney: { amount: "39.80" } },
    totalPriceSet: { shopMoney: { amount: "44.80" } },
    displayFinancialStatus: "PAID",
    sourceName: "web",
    customAttributes: [{ key: "gift", value: "yes" }],
    test: false,
    processedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    cancelledAt: null,
    lineItems: Array.from({ length: options.lines ?? 2 }, (_, i) => ({
      id: `gid://shopify/LineItem/${(5000 + n) * 10 + i}`,
      product: { id: productGid(i + 1) },
      variant: { id: variantGid(i + 1, 1) },
      title: `Product ${i + 1}`,
      quantity: i + 1,
      originalUnitPriceSet: { shopMoney: { amount: "19.90" } },
      customAttributes: i === 0 ? [{ key: "_affinity_rec", value: "r-1" }] : [],
    })),
  };
}

/**
 * A bulk result file's lines: each object without its nested connection, then (grouped) its
 * children directly below it with `__parentId`, or (ungrouped) all children after all parents.
 */
export function bulkJsonl(parents: GraphqlObject[], childKey: string, grouped = true): string[] {
  const parentLines: string[] = [];
  const childLines: string[] = [];
  for (const { [childKey]: children, ...fields } of parents) {
    parentLines.push(JSON.stringify(fields));
    for (const child of (children as GraphqlObject[] | undefined) ?? []) {
      (grouped ? parentLines : childLines).push(JSON.stringify({ ...child, __parentId: fields.id }));
    }
  }
  return [...parentLines, ...childLines];
}
