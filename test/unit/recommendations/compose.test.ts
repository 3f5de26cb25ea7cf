import { describe, expect, it } from "vitest";
import {
  cardFromProduct,
  publicCard,
  type CatalogProduct,
  type StoredCard,
} from "../../../app/lib/storefront-store/card";
import type { RecommendationRequest } from "../../../app/lib/recommendations/request";
import { ineligibility } from "../../../app/lib/recommendations/rules";
import { pickProducts } from "../../helpers/rankers";
import { STRATEGIES, strategyCandidates, type StrategyInput } from "../../../app/lib/recommendations/strategy";
import { DEFAULT_SETTINGS, shopSettingsSchema, type ShopSettings } from "../../../app/lib/settings/settings-schema";

const request = (over: Partial<RecommendationRequest> = {}): RecommendationRequest => ({
  context: "home",
  strategy: "for_you",
  limit: 4,
  productId: null,
  collectionId: null,
  cart: [],
  history: [],
  visitorId: null,
  ...over,
});

function product(id: string, over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    shopifyId: id,
    title: `Product ${id}`,
    handle: `product-${id}`,
    status: "active",
    isGiftCard: false,
    publishedAt: new Date("2026-01-01"),
    tags: "",
    imageUrl: null,
    imageWidth: null,
    imageHeight: null,
    imageAlt: null,
    shopifyUpdatedAt: new Date("2026-02-01"),
    deletedAt: null,
    variants: [{ shopifyId: `${id}01`, price: "10.00", compareAtPrice: null, available: true, position: 1 }],
    ...over,
  };
}

const cards = (...items: CatalogProduct[]) =>
  new Map<string, StoredCard>(items.map((p) => [p.shopifyId, cardFromProduct(p)]));
const settings = (over: object = {}): ShopSettings => shopSettingsSchema.parse(over);
const ids = (picked: StoredCard[]) => picked.map((c) => c.id);

describe("cardFromProduct", () => {
  it("offers the first available variant, and a compare-at price only when it is a markdown", () => {
    const card = cardFromProduct(
      product("1", {
        imageUrl: "https://cdn.shopify.com/a.jpg",
        imageWidth: 800,
        imageHeight: 600,
        variants: [
          { shopifyId: "11", price: "12.00", compareAtPrice: "15.00", available: false, position: 1 },
          { shopifyId: "12", price: "9.50", compareAtPrice: "9.50", available: true, position: 2 },
        ],
      }),
    );
    expect(publicCard(card)).toEqual({
      id: "1",
      variantId: "12",
      title: "Product 1",
      url: "/products/product-1",
      image: { url: "https://cdn.shopify.com/a.jpg", width: 800, height: 600, alt: "Product 1" },
      price: 9.5,
      compareAtPrice: null,
      available: true,
    });
  });

  it("marks drafts, unpublished and deleted products as not visible, and a delete as the newest version", () => {
    expect(cardFromProduct(product("1", { status: "draft" })).visible).toBe(false);
    expect(cardFromProduct(product("1", { publishedAt: null })).visible).toBe(false);
    const deleted = cardFromProduct(product("1", { deletedAt: new Date("2026-03-01") }));
    expect(deleted.visible).toBe(false);
    expect(deleted.version).toBe(new Date("2026-03-01").getTime());
  });
});

describe("strategy chains", () => {
  const chain = (over: Partial<StrategyInput>) =>
    strategyCandidates({
      strategy: "for_you",
      customerId: null,
      productId: null,
      cart: [],
      history: [],
      includePurchased: true,
      ...over,
    }).map((c) => [c.strategy, "id" in c.ref ? `${c.ref.kind}:${c.ref.id}` : c.ref.kind, c.reason ?? null]);

  it("serves a known customer their own stored list for each personal strategy, with no fallback reason", () => {
    expect(chain({ customerId: "9" })[0]).toEqual(["for_you", "for:9", null]);
    expect(chain({ strategy: "buy_again", customerId: "9" })[0]).toEqual(["buy_again", "again:9", null]);
    expect(chain({ strategy: "new_for_you", customerId: "9" })[0]).toEqual(["new_for_you", "new:9", null]);
  });

  it("falls back from buy-again for an anonymous visitor to related-to-last-viewed, then popular, saying why", () => {
    // Every fallback names why buy-again could not serve: the visitor is not logged in.
    expect(chain({ strategy: "buy_again", history: ["5", "6"] })).toEqual([
      ["related", "related:5", "not_logged_in"],
      ["popular", "popular", "not_logged_in"],
    ]);
    expect(chain({ strategy: "buy_again" })).toEqual([["popular", "popular", "not_logged_in"]]);
    // For-you itself has no fallback reason to pass on: popular is its answer to an empty history.
    expect(chain({})).toEqual([["popular", "popular", "no_history"]]);
    expect(chain({ strategy: "buy_again", customerId: "9" }).slice(1)).toEqual([
      ["for_you", "for:9", "no_list"],
      ["popular", "popular", "no_list"],
    ]);
  });

  it("gives new-for-you without a list the evaluated lists for a shopper with no history, never a past-purchase list", () => {
    expect(chain({ strategy: "new_for_you", customerId: "9" })).toEqual([
      ["new_for_you", "new:9", null],
      ["popular", "popular", "no_list"],
    ]);
    expect(chain({ strategy: "new_for_you" })).toEqual([["popular", "popular", "not_logged_in"]]);
    expect(chain({ strategy: "new_for_you", history: ["4"] })).toEqual([
      ["related", "related:4", "not_logged_in"],
      ["popular", "popular", "not_logged_in"],
    ]);
    // Best sellers are the holdout's list alone.
    const everyChain = STRATEGIES.flatMap((strategy) => chain({ strategy, customerId: "9", history: ["4"] }));
    expect(everyChain.map(([served]) => served)).not.toContain("best_sellers");
  });

  it("serves related on the product's own list, complete-the-cart on the last cart item's, and falls back when they have none", () => {
    expect(chain({ strategy: "related", productId: "3" })[0]).toEqual(["related", "related:3", null]);
    expect(chain({ strategy: "related", customerId: "9" })[0]).toEqual(["for_you", "for:9", "no_product"]);
    expect(chain({ strategy: "complete_cart", cart: ["1", "2"] })[0]).toEqual(["complete_cart", "related:2", null]);
    expect(chain({ strategy: "complete_cart" })).toEqual([["popular", "popular", "empty_cart"]]);
    expect(chain({ strategy: "related", history: ["4"] })).toEqual([
      ["related", "related:4", "no_product"],
      ["popular", "popular", "no_product"],
    ]);
  });

  it("serves a customer's new-for-you list in place of for-you when the merchant excludes past purchases", () => {
    expect(chain({ customerId: "9", includePurchased: false })[0]).toEqual([
      "new_for_you",
      "new:9",
      "purchases_excluded",
    ]);
  });
});

describe("business rules", () => {
  const all = cards(
    product("1"),
    product("2", { variants: [{ shopifyId: "21", price: "5", compareAtPrice: null, available: false, position: 1 }] }),
    product("3", { status: "archived" }),
    product("4", { isGiftCard: true }),
    product("5", { tags: "Clearance, summer" }),
    product("6"),
    product("7"),
  );

  it("keeps only in-stock, published, non-gift-card products that are not in the cart", () => {
    const picked = pickProducts(
      ["1", "2", "3", "4", "5", "6", "7", "404"],
      all,
      request({ limit: 12, cart: ["6"] }),
      DEFAULT_SETTINGS,
    );
    expect(ids(picked)).toEqual(["1", "5", "7"]);
  });

  it("shows sold-out products when the merchant allows it", () => {
    const picked = pickProducts(["2", "1"], all, request(), settings({ hideOutOfStock: false }));
    expect(ids(picked)).toEqual(["2", "1"]);
  });

  it("applies exclusions by product, collection and tag (case-insensitive)", () => {
    const merchant = settings({
      exclusions: { productIds: ["1"], collectionProductIds: ["6"], tags: ["CLEARANCE"] },
    });
    expect(ids(pickProducts(["1", "5", "6", "7"], all, request(), merchant))).toEqual(["7"]);
    expect(ineligibility(all.get("5"), request(), merchant, new Set())).toBe("excluded tag");
  });

  it("puts eligible pins first, in order, and never repeats a product", () => {
    const merchant = settings({ pinnedProductIds: ["7", "3", "6"] });
    expect(ids(pickProducts(["1", "6", "5"], all, request({ limit: 3 }), merchant))).toEqual(["7", "6", "1"]);
  });

  it("never recommends the product page's own product", () => {
    const picked = pickProducts(["1", "5"], all, request({ context: "product", productId: "1" }), DEFAULT_SETTINGS);
    expect(ids(picked)).toEqual(["5"]);
  });

  it("stops at the limit", () => {
    expect(pickProducts(["1", "5", "6", "7"], all, request({ limit: 2 }), DEFAULT_SETTINGS)).toHaveLength(2);
  });
});
