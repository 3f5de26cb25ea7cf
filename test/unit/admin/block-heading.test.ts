import { describe, expect, it } from "vitest";
import { BLOCK_DEFAULTS_METAFIELD } from "../../../app/lib/admin/block-defaults.server";
import { blockSettings, readLocale, renderBlock, type StorefrontContext } from "../../helpers/storefront/render-block";

const page = (settings: Record<string, unknown>, heading?: string): StorefrontContext => ({
  pageType: "product",
  locale: "en",
  country: "US",
  shopCurrency: "USD",
  cartCurrency: "USD",
  productId: "7001",
  cartProductIds: [],
  settings: blockSettings(settings),
  appMetafields:
    heading === undefined
      ? {}
      : { [BLOCK_DEFAULTS_METAFIELD.namespace]: { [BLOCK_DEFAULTS_METAFIELD.key]: { value: { heading } } } },
});
const headingOf = (html: string) => /<h2[^>]*>([^<]*)<\/h2>/.exec(html)?.[1]?.trim();

describe("the block's heading, with the admin's default", () => {
  it("uses the block's own heading first, then the admin default, then the strategy's translation", async () => {
    // A product page's automatic strategy is "related".
    const translated = (readLocale("en.default").recommendations as { headings: { related: string } }).headings.related;
    expect(headingOf(await renderBlock(page({ heading: "Mine" }, "Picked for you")))).toBe("Mine");
    expect(headingOf(await renderBlock(page({ heading: "" }, "Picked for you")))).toBe("Picked for you");
    expect(headingOf(await renderBlock(page({ heading: "" }, "")))).toBe(translated);
    expect(headingOf(await renderBlock(page({ heading: "" })))).toBe(translated);
    expect(headingOf(await renderBlock(page({ heading: "", strategy: "buy_again" })))).toBe("Buy it again");
  });
});
