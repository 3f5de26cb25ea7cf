import { z } from "zod";
import { money, text, wellFormed } from "./payload-scalars";
import { BulkGroupReader, type BulkGroup, type BulkShape } from "./bulk-jsonl";
import { numericId, type NameValue, type OrderRecord, type ProductRecord } from "./records";

// Lines of the bulk results for the queries in bulk-queries.ts (Admin GraphQL 2026-10), checked
// one by one. Money, Decimal and UnsignedInt64 scalars arrive as JSON strings.
const gid = z.string().min(1).transform(wellFormed);
const date = z.coerce.date();
const shopMoney = z.object({ shopMoney: z.object({ amount: money }) });
const attributes = z
  .array(z.object({ key: text, value: text.nullable() }))
  .default([])
  .transform((list): NameValue[] => list.map((a) => ({ name: a.key, value: a.value ?? "" })));

const productLine = z.object({
  id: gid,
  title: text,
  handle: text,
  productType: text.nullish(),
  vendor: text.nullish(),
  tags: z.array(text).default([]),
  status: z.enum(["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"]),
  isGiftCard: z.boolean(),
  publishedAt: date.nullish(),
  createdAt: date,
  updatedAt: date,
  featuredMedia: z
    .object({
      preview: z
        .object({
          image: z
            .object({
              url: text,
              width: z.number().int().nullish(),
              height: z.number().int().nullish(),
              altText: text.nullish(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

const variantLine = z.object({
  id: gid,
  title: text,
  sku: text.nullish(),
  price: money,
  compareAtPrice: money.nullish(),
  position: z.number().int(),
  availableForSale: z.boolean(),
  inventoryQuantity: z.number().int().nullish(),
});

const orderLine = z.object({
  id: gid,
  name: text,
  customer: z.object({ id: gid }).nullish(),
  currencyCode: text,
  subtotalPriceSet: shopMoney.nullish(),
  totalPriceSet: shopMoney,
  displayFinancialStatus: text.nullish(),
  sourceName: text.nullish(),
  customAttributes: attributes,
  test: z.boolean(),
  processedAt: date,
  createdAt: date,
  updatedAt: date,
  cancelledAt: date.nullish(),
});

const lineItemLine = z.object({
  id: gid,
  product: z.object({ id: gid }).nullish(),
  variant: z.object({ id: gid }).nullish(),
  title: text,
  quantity: z.number().int(),
  originalUnitPriceSet: shopMoney,
  customAttributes: attributes,
});

export type ProductLine = z.output<typeof productLine>;
export type VariantLine = z.output<typeof variantLine>;
export type OrderLine = z.output<typeof orderLine>;
export type LineItemLine = z.output<typeof lineItemLine>;

export const PRODUCT_SHAPE: BulkShape<ProductLine, VariantLine> = { parent: productLine, child: variantLine };
export const ORDER_SHAPE: BulkShape<OrderLine, LineItemLine> = { parent: orderLine, child: lineItemLine };

export function toProductRecord({ parent: p, children }: BulkGroup<ProductLine, VariantLine>): ProductRecord {
  const image = p.featuredMedia?.preview?.image;
  return {
    shopifyId: numericId(p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType ?? "",
    vendor: p.vendor ?? "",
    tags: p.tags.map((t) => t.trim()).filter((t) => t !== ""),
    // Lower case, as the REST-shaped webhooks send it, so both paths store the same values.
    status: p.status.toLowerCase() as ProductRecord["status"],
    isGiftCard: p.isGiftCard,
    publishedAt: p.publishedAt ?? null,
    image: image
      ? { url: image.url, width: image.width ?? null, height: image.height ?? null, alt: image.altText ?? null }
      : null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    variants: children.map((v) => ({
      shopifyId: numericId(v.id),
      title: v.title,
      sku: v.sku || null,
      price: v.price,
      compareAtPrice: v.compareAtPrice ?? null,
      position: v.position,
      // availableForSale already folds in stock, overselling policy and untracked inventory.
      available: v.availableForSale,
      inventoryQuantity: v.inventoryQuantity ?? null,
    })),
  };
}

export function toOrderRecord({ parent: o, children }: BulkGroup<OrderLine, LineItemLine>): OrderRecord {
  const total = o.totalPriceSet.shopMoney.amount;
  return {
    shopifyId: numericId(o.id),
    name: o.name,
    customerShopifyId: o.customer ? numericId(o.customer.id) : null,
    currency: o.currencyCode,
    subtotalPrice: o.subtotalPriceSet?.shopMoney.amount ?? total,
    totalPrice: total,
    // GraphQL says PARTIALLY_REFUNDED where REST webhooks say partially_refunded.
    financialStatus: o.displayFinancialStatus?.toLowerCase() ?? null,
    sourceName: o.sourceName ?? null,
    noteAttributes: o.customAttributes,
    test: o.test,
    processedAt: o.processedAt,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt ?? null,
    lines: children.map((l) => ({
      shopifyId: numericId(l.id),
      productShopifyId: l.product ? numericId(l.product.id) : null,
      variantShopifyId: l.variant ? numericId(l.variant.id) : null,
      title: l.title,
      quantity: l.quantity,
      price: l.originalUnitPriceSet.shopMoney.amount,
      properties: l.customAttributes,
    })),
  };
}

/** A finished record and the last line it was read from (where a resumed import may restart). */
export interface ReadRecord<R> {
  record: R;
  lastLine: number;
}

export interface RecordReader<R> {
  push(line: string): ReadRecord<R> | undefined;
  end(): ReadRecord<R> | undefined;
}

function recordReader<P extends { id: string }, C, R>(
  shape: BulkShape<P, C>,
  toRecord: (group: BulkGroup<P, C>) => R,
  skipLines: number,
): RecordReader<R> {
  const reader = new BulkGroupReader(shape, skipLines);
  const finish = (group: BulkGroup<P, C> | undefined) =>
    group ? { record: toRecord(group), lastLine: group.lastLine } : undefined;
  return { push: (line) => finish(reader.push(line)), end: () => finish(reader.end()) };
}

export const productRecordReader = (skipLines = 0) => recordReader(PRODUCT_SHAPE, toProductRecord, skipLines);
export const orderRecordReader = (skipLines = 0) => recordReader(ORDER_SHAPE, toOrderRecord, skipLines);
