import type { StoredCard } from "../storefront-store/card";

/*
 * The storefront-context answer (docs/decisions/012). The app still decides which products to
 * show; Shopify renders this Liquid (the App Proxy's `application/liquid`) in the shopper's own
 * storefront context, so each product's title, price, compare-at price and availability are the
 * ones the shopper's locale and market see (translations, price lists, B2B catalogs), and every
 * link starts at `routes.root_url` (/fr, /en-ca). The output is JSON for the block's script.
 *
 * Nothing from the request reaches the template: only handles from our catalog (checked against
 * a strict pattern), the recommendation id (base64url) and numbers. Interpolating shopper input
 * into Liquid would let it run Liquid on the store.
 */

/** `all_products` answers 20 distinct handles per page; the template never asks for more. */
export const LIQUID_HANDLES_MAX = 20;

/**
 * Candidates asked of serving for a block showing `limit`: half as many again (at least two) as
 * spares for products the shopper's market does not sell or has sold out. Each spare is one more
 * card read on the hot path and one more `all_products` lookup for Shopify, and most products
 * are sold in every market, so the spares are few.
 */
export function liquidCandidates(limit: number): number {
  return Math.min(LIQUID_HANDLES_MAX, limit + Math.max(2, Math.ceil(limit / 2)));
}

/** Widths offered in each image's srcset; the block picks by the card's rendered width. */
export const IMAGE_WIDTHS = [160, 240, 320, 400, 540, 720, 900, 1080] as const;

/** Shopify handles: lower-case letters (any script), digits, hyphens and underscores. */
const HANDLE = /^[\p{Ll}\p{Lo}\p{N}_-]{1,255}$/u;
const RECOMMENDATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The product's handle, from the card's `/products/<handle>` link; null if it is not one. */
export function cardHandle(card: Pick<StoredCard, "url">): string | null {
  const handle = card.url.startsWith("/products/") ? card.url.slice("/products/".length) : "";
  return HANDLE.test(handle) ? handle : null;
}

/*
 * One product as JSON, read in the storefront's context. A product the market does not sell is
 * `empty` there (no id); one sold out in the market is skipped unless serving already knew it
 * was sold out and kept it (the merchant shows sold-out products). Prices are in the
 * presentment currency's subunit; `divided_by: 100.0` gives the amount. `min` is the variant's
 * quantity rule minimum (a B2B catalog's; 1 for everyone else), what an add must ask for.
 */
const PRODUCT = `
{%- for h in affinity_handles -%}
  {%- if affinity_shown >= affinity_limit -%}{%- break -%}{%- endif -%}
  {%- assign p = all_products[h] -%}
  {%- unless p.id -%}{%- continue -%}{%- endunless -%}
  {%- unless p.available or affinity_sold_out contains h -%}{%- continue -%}{%- endunless -%}
  {%- assign v = p.selected_or_first_available_variant -%}
  {%- if affinity_shown > 0 -%},{%- endif -%}
  {%- assign affinity_shown = affinity_shown | plus: 1 -%}
  {%- assign img = p.featured_image -%}
  {"id":"{{ p.id }}","variantId":"{{ v.id }}","title":{{ p.title | json }},
  "url":{{ affinity_root | append: '/products/' | append: p.handle | json }},
  "price":{{ v.price | divided_by: 100.0 }},
  "compareAtPrice":{%- if v.compare_at_price > v.price -%}{{ v.compare_at_price | divided_by: 100.0 }}{%- else -%}null{%- endif -%},
  "available":{{ v.available | json }},"min":{{ v.quantity_rule.min | default: 1 }},
  {%- capture srcset -%}
    {%- for w in affinity_widths -%}
      {%- assign wn = w | plus: 0 -%}
      {%- if img and wn <= img.width -%}{{ img | image_url: width: wn }} {{ wn }}w,{%- endif -%}
    {%- endfor -%}
  {%- endcapture -%}
  "image":{%- if img -%}{ "url":{{ img | image_url: width: 540 | json }},"srcset":{{ srcset | json }},
    "width":{{ img.width | json }},"height":{{ img.height | json }},"alt":{{ img.alt | default: p.title | json }}}
  {%- else -%}null{%- endif -%}}
{%- endfor -%}`.replace(/\n\s*/g, "");

/*
 * Everything after the recommendation id is the same in every answer, so it is encoded once: the
 * hot path writes only the short part before it (renderRecommendationsLiquidBytes).
 */
const TAIL = `","currency":{{ cart.currency.iso_code | json }},"products":[${PRODUCT}]}`;
const TAIL_BYTES = Buffer.from(TAIL, "utf8");

/**
 * The App Proxy answer for the block: `{% layout none %}` keeps the theme's layout out, so the
 * rendered page is `{"recommendationId","currency","products":[…]}` with at most `limit` products.
 */
export function renderRecommendationsLiquid(
  response: { recommendationId: string; products: readonly StoredCard[] },
  limit: number,
): string {
  return liquidHead(response, limit) + TAIL;
}

/**
 * The same answer as renderRecommendationsLiquid, as the bytes the server sends: the varying head
 * encoded, the constant tail copied. Sending a string made Node measure and encode all of its
 * ~2 KB as UTF-8 on every request (for Content-Length, then again for the socket).
 */
export function renderRecommendationsLiquidBytes(
  response: { recommendationId: string; products: readonly StoredCard[] },
  limit: number,
): Buffer {
  const head = liquidHead(response, limit);
  const headBytes = Buffer.byteLength(head, "utf8");
  const body = Buffer.allocUnsafe(headBytes + TAIL_BYTES.length);
  body.write(head, 0, headBytes, "utf8");
  TAIL_BYTES.copy(body, headBytes);
  return body;
}

/**
 * Handles of the cards rendered before. A card object is never changed once parsed (the cache
 * replaces it when its stored text changes), and the same object serves many requests, so its
 * handle is checked against the pattern once rather than on every answer.
 */
const handleCache = new WeakMap<Pick<StoredCard, "url">, string | null>();

function handleOf(card: Pick<StoredCard, "url">): string | null {
  let handle = handleCache.get(card);
  if (handle === undefined) handleCache.set(card, (handle = cardHandle(card)));
  return handle;
}

const WIDTHS = `assign affinity_widths = '${IMAGE_WIDTHS.join(",")}' | split: ','\n`;

/** The answer up to and including the recommendation id. */
function liquidHead(response: { recommendationId: string; products: readonly StoredCard[] }, limit: number): string {
  if (!RECOMMENDATION_ID.test(response.recommendationId)) throw new Error("unexpected recommendation id");
  const handles: string[] = [];
  const soldOut: string[] = [];
  for (const card of response.products) {
    const handle = handleOf(card);
    if (!handle || handles.includes(handle) || handles.length >= LIQUID_HANDLES_MAX) continue;
    handles.push(handle);
    if (!card.available) soldOut.push(handle);
  }
  const shown = Math.max(0, Math.min(Math.trunc(limit), LIQUID_HANDLES_MAX));
  return (
    "{% layout none %}{%- liquid\n" +
    `assign affinity_handles = '${handles.join(",")}' | split: ','\n` +
    `assign affinity_sold_out = '${soldOut.join(",")}' | split: ','\n` +
    WIDTHS +
    `assign affinity_limit = ${shown}\n` +
    "assign affinity_shown = 0\n" +
    "assign affinity_root = routes.root_url\n" +
    "if affinity_root == '/'\n assign affinity_root = ''\nendif\n" +
    "-%}" +
    `{"recommendationId":"${response.recommendationId}`
  );
}
