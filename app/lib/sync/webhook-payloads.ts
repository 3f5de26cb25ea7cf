import { z } from "zod";
import { money, text } from "./payload-scalars";
import type { CustomerRecord, OrderRecord, ProductRecord } from "./records";

// Shopify's REST-shaped webhook payloads (API 2026-10), reduced to the fields we keep. Unknown
// fields are dropped; a missing required field fails the delivery with a precise path.
const id = z.union([z.number(), text]).transform(String);
const date = z.coerce.date();
const nameValues = z
  .array(z.object({ name: text, value: z.union([text, z.number(), z.boolean(), z.null()]) }))
  .nullish()
  .transform((list) => (list ?? []).map((p) => ({ name: p.name, value: p.value === null ? "" : String(p.value) })));

const variant = z.object({
  id,
  title: text.nullish(),
  sku: text.nullish(),
  price: money,
  compare_at_price: money.nullish(),
  position: z.number().int().nullish(),
  inventory_quantity: z.number().int().nullish(),
  inventory_policy: text.nullish(),
  inventory_management: text.nullish(),
});

export const productPayload = z
  .object({
    id,
    title: text,
    handle: text,
    product_type: text.nullish(),
    vendor: text.nullish(),
    tags: z.union([text, z.array(text)]).nullish(),
    status: z.enum(["active", "draft", "archived", "unlisted"]).default("active"),
    gift_card: z.boolean().nullish(),
    published_at: date.nullish(),
    created_at: date.nullish(),
    updated_at: date,
    image: z
      .object({ src: text, width: z.number().nullish(), height: z.number().nullish(), alt: text.nullish() })
      .nullish(),
    variants: z.array(variant).default([]),
  })
  .transform((p): ProductRecord => ({
    shopifyId: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.product_type ?? "",
    vendor: p.vendor ?? "",
    tags: splitTags(p.tags),
    status: p.status,
    isGiftCard: p.gift_card ?? false,
    publishedAt: p.published_at ?? null,
    image: p.image
      ? { url: p.image.src, width: p.image.width ?? null, height: p.image.height ?? null, alt: p.image.alt ?? null }
      : null,
    createdAt: p.created_at ?? null,
    updatedAt: p.updated_at,
    variants: p.variants.map((v, index) => ({
      shopifyId: v.id,
      title: v.title ?? "",
      sku: v.sku || null,
      price: v.price,
      compareAtPrice: v.compare_at_price ?? null,
      position: v.position ?? index + 1,
      // Sellable when stock is left, when it may be oversold, or when stock is not tracked.
      available: (v.inventory_quantity ?? 1) > 0 || v.inventory_policy === "continue" || !v.inventory_management,
      inventoryQuantity: v.inventory_quantity ?? null,
    })),
  }));

function splitTags(tags: string | string[] | null | undefined): string[] {
  const list = Array.isArray(tags) ? tags : (tags ?? "").split(",");
  return list.map((t) => t.trim()).filter((t) => t !== "");
}

const lineItem = z.object({
  id,
  product_id: id.nullish(),
  variant_id: id.nullish(),
  title: text.nullish(),
  quantity: z.number().int(),
  price: money,
  properties: nameValues,
});

export const orderPayload = z
  .object({
    id,
    name: text.nullish(),
    customer: z.object({ id }).nullish(),
    currency: text,
    subtotal_price: money.nullish(),
    total_price: money,
    financial_status: text.nullish(),
    source_name: text.nullish(),
    note_attributes: nameValues,
    test: z.boolean().nullish(),
    processed_at: date.nullish(),
    created_at: date,
    updated_at: date,
    cancelled_at: date.nullish(),
    line_items: z.array(lineItem),
  })
  .transform((o): OrderRecord => ({
    shopifyId: o.id,
    name: o.name ?? "",
    customerShopifyId: o.customer?.id ?? null,
    currency: o.currency,
    subtotalPrice: o.subtotal_price ?? o.total_price,
    totalPrice: o.total_price,
    financialStatus: o.financial_status ?? null,
    sourceName: o.source_name ?? null,
    noteAttributes: o.note_attributes,
    test: o.test ?? false,
    processedAt: o.processed_at ?? o.created_at,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    cancelledAt: o.cancelled_at ?? null,
    lines: o.line_items.map((l) => ({
      shopifyId: l.id,
      productShopifyId: l.product_id ?? null,
      variantShopifyId: l.variant_id ?? null,
      title: l.title ?? "",
      quantity: l.quantity,
      price: l.price,
      properties: l.properties,
    })),
  }));

export const customerPayload = z
  .object({ id, created_at: date.nullish(), updated_at: date })
  .transform((c): CustomerRecord => ({ shopifyId: c.id, createdAt: c.created_at ?? null, updatedAt: c.updated_at }));

export const deletePayload = z.object({ id });

export const customerDataRequestPayload = z.object({
  shop_domain: text,
  customer: z.object({ id }),
  orders_requested: z.array(id).default([]),
  data_request: z.object({ id }).nullish(),
});

export const customerRedactPayload = z.object({
  shop_domain: text,
  customer: z.object({ id }),
  orders_to_redact: z.array(id).default([]),
});

export const shopRedactPayload = z.object({ shop_domain: text });

/**
 * shop/update: only the zone is read. It is left unchecked here because a zone we do not know
 * must fall back to UTC (resolveTimeZone), not dead-letter the delivery.
 */
export const shopUpdatePayload = z.object({ iana_timezone: z.unknown() });

export const scopesUpdatePayload = z.object({ current: z.array(text) });
