/**
 * Design B of ADR 012, built only to be measured beside design A (the one shipped): the block
 * asks the App Proxy for the plain JSON answer (which products, with the app's rules, holdout and
 * exposure logging), then asks the Storefront API for those products' cards in the shopper's
 * context (`@inContext(country, language)`), one request after the other.
 *
 * It runs in the page before the block's own script (Playwright's `addInitScript`) and wraps
 * `fetch`: the block's storefront-context request (`format=liquid`) is answered by the two
 * requests of design B, mapped to the same JSON the Liquid answer renders, so the block's own
 * rendering, image sizing and cart code run unchanged and only the way the cards are fetched
 * differs. `bench/block.ts` times it (`block.first_card_ms.storefront_api`), and a browser test
 * holds it to design A's cards for a French shopper, so the figure is of a design that works.
 *
 * What it leaves out, and design B would need: a Storefront API token shipped in the page, and
 * B2B catalog prices (a theme block has no customer access token for `@inContext(buyer:)`).
 */

import { IMAGE_WIDTHS, LIQUID_HANDLES_MAX, liquidCandidates } from "../../../app/lib/recommendations/storefront-liquid";

/** The candidates design A asks serving for, per shown count, so both designs get the same spares. */
const CANDIDATES = Array.from({ length: LIQUID_HANDLES_MAX + 1 }, (_, shown) => liquidCandidates(shown));

/** The Storefront API version the prototype asks (the stand-in answers any). */
export const STOREFRONT_API_PATH = "/api/2026-01/graphql.json";

/** The query design B sends: the cards' fields the Liquid answer renders, in the shopper's context. */
export const CARDS_QUERY = `query Cards($ids: [ID!]!, $country: CountryCode, $language: LanguageCode)
@inContext(country: $country, language: $language) {
  nodes(ids: $ids) {
    ... on Product {
      id handle title availableForSale
      featuredImage { url width height altText }
      selectedOrFirstAvailableVariant {
        id availableForSale price { amount currencyCode } compareAtPrice { amount } quantityRule { minimum }
      }
    }
  }
}`;

/** The page script (plain JavaScript, as a browser runs it). */
export const STOREFRONT_API_DESIGN = `(() => {
  const realFetch = window.fetch.bind(window);
  const WIDTHS = ${JSON.stringify(IMAGE_WIDTHS)};
  const CANDIDATES = ${JSON.stringify(CANDIDATES)};
  const sized = (url, w) => url + (url.includes("?") ? "&" : "?") + "width=" + w;
  const card = (root, n) => {
    const v = n.selectedOrFirstAvailableVariant;
    const price = Number(v.price.amount);
    const compareAt = v.compareAtPrice && Number(v.compareAtPrice.amount);
    const img = n.featuredImage;
    return {
      id: n.id.split("/").pop(),
      variantId: v.id.split("/").pop(),
      title: n.title,
      url: root + "/products/" + n.handle,
      price,
      compareAtPrice: compareAt > price ? compareAt : null,
      available: v.availableForSale,
      min: (v.quantityRule && v.quantityRule.minimum) || 1,
      image: img && {
        url: sized(img.url, 540),
        srcset: WIDTHS.filter((w) => w <= img.width).map((w) => sized(img.url, w) + " " + w + "w,").join(""),
        width: img.width,
        height: img.height,
        alt: img.altText || n.title,
      },
    };
  };
  window.fetch = async (input, init) => {
    const asked = new URL(typeof input == "string" ? input : input.url, location.href);
    if (!asked.pathname.endsWith("/apps/affinity/recommendations") || asked.searchParams.get("format") != "liquid")
      return realFetch(input, init);
    // First request: which products, as JSON, with spares for what the market does not sell.
    const shown = Number(asked.searchParams.get("limit")) || 4;
    asked.searchParams.set("format", "json");
    asked.searchParams.set("limit", String(CANDIDATES[shown] || ${LIQUID_HANDLES_MAX}));
    const ids = await realFetch(asked, init);
    if (!ids.ok) return ids;
    const chosen = await ids.json();
    // Second request, only once the first has answered: the cards in the shopper's context.
    const country = (document.cookie.match(/(?:^|; )localization=([A-Z]{2})/) || [])[1] || "GB";
    const language = (document.documentElement.lang || "en").slice(0, 2).toUpperCase();
    const api = await realFetch(${JSON.stringify(STOREFRONT_API_PATH)}, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Storefront-Access-Token": "design-b-token" },
      body: JSON.stringify({
        query: ${JSON.stringify(CARDS_QUERY)},
        variables: { ids: chosen.products.map((p) => "gid://shopify/Product/" + p.id), country, language },
      }),
    });
    if (!api.ok) return api;
    const { data } = await api.json();
    const root = asked.pathname.slice(0, asked.pathname.indexOf("/apps/"));
    // As the Liquid answer: a product sold out in the market is skipped, unless serving knew it
    // was sold out and kept it (the merchant shows sold-out products).
    const keptSoldOut = new Set(chosen.products.filter((p) => !p.available).map((p) => "gid://shopify/Product/" + p.id));
    const nodes = data.nodes.filter((n) => n && (n.availableForSale || keptSoldOut.has(n.id))).slice(0, shown);
    const currency = nodes.length ? nodes[0].selectedOrFirstAvailableVariant.price.currencyCode : null;
    const body = { recommendationId: chosen.recommendationId, currency, products: nodes.map((n) => card(root, n)) };
    return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
  };
})();`;
