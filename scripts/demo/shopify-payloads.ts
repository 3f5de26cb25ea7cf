/**
 * The demo shop's data as Shopify's `products/create` and `orders/create` webhook payloads
 * (REST shape, API 2026-10, as in test/fixtures/shopify-payloads.ts). Ids are stable, so a
 * replay sends the same deliveries every time and ingest stays idempotent.
 */
import { createHash } from "node:crypto";
import type { DemoOrder, DemoProduct } from "./slice-data";
import { ukTimeWithOffset } from "./uk-time";

const SHOP_NAME = "Affinity Demo";

/**
 * Stock codes such as "85123A" are not numbers, and Shopify ids are. A hash of the code gives
 * the same 13-digit id on every run and for any slice (40 bits: collisions among a few thousand
 * codes are about one in 10^5, and loadProducts checks).
 */
export function productIdFor(code: string): number {
  let id = productIds.get(code);
  if (id === undefined) {
    id = 7_000_000_000_000 + Number.parseInt(createHash("sha256").update(code).digest("hex").slice(0, 10), 16);
    productIds.set(code, id);
  }
  return id;
}

// Every order line needs its product's id: hash each code once.
const productIds = new Map<string, number>();

const variantIdFor = (productId: number) => productId * 10 + 1;
const money = (value: number) => value.toFixed(2);

export function productPayload(product: DemoProduct) {
  const id = productIdFor(product.code);
  const at = ukTimeWithOffset(product.firstSeen);
  const variantId = variantIdFor(id);
  return {
    id,
    title: product.title,
    body_html: "",
    vendor: SHOP_NAME,
    product_type: "",
    created_at: at,
    handle: handleFor(product),
    updated_at: at,
    published_at: at,
    template_suffix: null,
    published_scope: "global",
    tags: "",
    status: "active",
    admin_graphql_api_id: `gid://shopify/Product/${id}`,
    variants: [
      {
        id: variantId,
        product_id: id,
        title: "Default Title",
        price: money(product.price),
        sku: product.code,
        position: 1,
        // The data set has no stock levels: untracked inventory is always sellable.
        inventory_policy: "deny",
        compare_at_price: null,
        inventory_management: null,
        inventory_quantity: 0,
        created_at: at,
        updated_at: at,
        admin_graphql_api_id: `gid://shopify/ProductVariant/${variantId}`,
      },
    ],
    options: [{ id: id * 10 + 2, product_id: id, name: "Title", position: 1, values: ["Default Title"] }],
    // The data set has no pictures.
    images: [],
    image: null,
  };
}

function handleFor(product: DemoProduct): string {
  const slug = product.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  // Titles repeat across stock codes; the code keeps handles unique, as Shopify requires.
  return `${slug}-${product.code.toLowerCase()}`;
}

/** `customerSince` is the customer's first order in the data: the closest thing to a sign-up date. */
export function orderPayload(order: DemoOrder, customerSince: string) {
  const id = Number(order.invoice);
  const at = ukTimeWithOffset(order.at);
  const total = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${order.invoice}`,
    created_at: at,
    updated_at: at,
    processed_at: at,
    cancelled_at: null,
    currency: "GBP",
    presentment_currency: "GBP",
    financial_status: "paid",
    fulfillment_status: "fulfilled",
    source_name: "web",
    subtotal_price: money(total),
    total_price: money(total),
    total_tax: "0.00",
    test: false,
    note: null,
    note_attributes: [],
    customer: {
      id: Number(order.customer),
      created_at: ukTimeWithOffset(customerSince),
      updated_at: at,
      state: "enabled",
    },
    line_items: order.lines.map((line, index) => {
      const productId = productIdFor(line.code);
      return {
        // Invoices have at most a few hundred lines, so invoice × 1000 + position is unique.
        id: id * 1000 + index,
        product_id: productId,
        variant_id: variantIdFor(productId),
        title: line.title,
        quantity: line.quantity,
        price: money(line.unitPrice),
        sku: line.code,
        gift_card: false,
        properties: [],
      };
    }),
  };
}
