import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { blockSettings, renderBlock, type StorefrontContext } from "../../helpers/storefront/render-block";

const page = (over: Partial<StorefrontContext>, settings: Record<string, unknown> = {}): StorefrontContext => ({
  pageType: "index",
  locale: "en",
  country: "GB",
  shopCurrency: "GBP",
  cartCurrency: "GBP",
  cartProductIds: [],
  settings: blockSettings(settings),
  ...over,
});
const attr = (html: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];

describe("the block in the storefront's context (Liquid)", () => {
  it("asks the app proxy under the locale's root, so Shopify renders the cards in that language", async () => {
    expect(attr(await renderBlock(page({ locale: "fr", rootUrl: "/fr" })), "data-proxy-url")).toBe(
      "/fr/apps/affinity/recommendations",
    );
    expect(attr(await renderBlock(page({})), "data-proxy-url")).toBe("/apps/affinity/recommendations");
    expect(attr(await renderBlock(page({ rootUrl: "/fr" })), "data-cart-add-url")).toBe("/fr/cart/add");
  });

  it("declares its product setting with Shopify's autofill, so the theme editor fills it on product pages", () => {
    const block = readFileSync("extensions/recommendations/blocks/recommendations.liquid", "utf8");
    const schema = JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(block)![1]!) as {
      settings: Array<{ id?: string; type: string; autofill?: boolean }>;
    };
    expect(schema.settings.find((s) => s.id === "product")).toMatchObject({ type: "product", autofill: true });
  });

  it("follows the page's product (autofill), or the one the merchant picked", async () => {
    expect(attr(await renderBlock(page({ pageType: "product", productId: "42" })), "data-product-id")).toBe("42");
    // Picked on the home page with "Recommend based on: product being viewed".
    const picked = await renderBlock(page({}, { context: "product", product: { id: 77 } }));
    expect(attr(picked, "data-product-id")).toBe("77");
    expect(attr(picked, "data-context")).toBe("product");
    expect(attr(await renderBlock(page({}, { product: { id: 77 } })), "data-product-id")).toBe("");
  });

  it("uses the heading level the merchant chose (h2 by default)", async () => {
    expect(await renderBlock(page({}))).toMatch(/<h2 id="affinity-recs-[^"]+-heading"/);
    expect(await renderBlock(page({}, { heading_level: "h3" }))).toMatch(
      /<h3 id="[^"]+"[^>]*>Recommended for you<\/h3>/,
    );
  });
});
