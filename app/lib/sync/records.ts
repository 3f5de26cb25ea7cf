/**
 * Normalised catalog and order records. Webhooks (REST-shaped JSON) and the install backfill
 * (GraphQL bulk JSONL) both map into these, so one idempotent store path serves both.
 * Ids are Shopify's numeric ids as strings; money is a decimal string in the shop's currency.
 */
export interface NameValue {
  name: string;
  value: string;
}

export interface VariantRecord {
  shopifyId: string;
  title: string;
  sku: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  available: boolean;
  inventoryQuantity: number | null;
}

export interface ProductRecord {
  shopifyId: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "active" | "draft" | "archived" | "unlisted";
  isGiftCard: boolean;
  publishedAt: Date | null;
  image: { url: string; width: number | null; height: number | null; alt: string | null } | null;
  createdAt: Date | null;
  updatedAt: Date;
  variants: VariantRecord[];
}

export interface OrderLineRecord {
  shopifyId: string;
  productShopifyId: string | null;
  variantShopifyId: string | null;
  title: string;
  quantity: number;
  price: string;
  properties: NameValue[];
}

export interface OrderRecord {
  shopifyId: string;
  name: string;
  customerShopifyId: string | null;
  currency: string;
  subtotalPrice: string;
  totalPrice: string;
  financialStatus: string | null;
  sourceName: string | null;
  noteAttributes: NameValue[];
  test: boolean;
  processedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  lines: OrderLineRecord[];
}

/**
 * An order training learns from: a customer's, not a test, not cancelled (the same rule as
 * `learnable` in training/shop-history.server.ts, which filters the database by it). Only such an
 * order can change what a list refresh builds for its shopper.
 */
export const isLearnableOrder = (order: Pick<OrderRecord, "customerShopifyId" | "test" | "cancelledAt">) =>
  order.customerShopifyId !== null && !order.test && order.cancelledAt === null;

export interface CustomerRecord {
  shopifyId: string;
  createdAt: Date | null;
  updatedAt: Date;
}

/** What applying a record did. "stale" means a newer version was already stored. */
export type ApplyOutcome = "created" | "updated" | "stale";

/** "gid://shopify/Product/123" → "123"; plain ids pass through. */
export function numericId(id: string | number): string {
  const text = String(id);
  const slash = text.lastIndexOf("/");
  return slash === -1 ? text : text.slice(slash + 1);
}
