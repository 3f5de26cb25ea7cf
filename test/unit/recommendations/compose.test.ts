import { describe, expect, it } from "vitest";
import {
  cardFromProduct,
  publicCard,
  type CatalogProduct,
  type StoredCard,
} from "../../../app/lib/recommendations/cards";
import { fuseLists, relatedSeeds, weightedSources, type SourceLists } from "../../../app/lib/recommendations/fuse";
import type { RecommendationRequest } from "../../../app/lib/recommendations/request";
import { ineligibility, pickProducts } from "../../../app/lib/recommendations/rules";
import { DEFAULT_SETTINGS, shopSettingsSchema, type ShopSettings } from "../../../app/lib/settings/schema";

const request = (over: Partial<RecommendationRequest> = {}): RecommendationRequest => ({
  context: "home",
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

describe("blending the lists", () => {
  const lists: SourceLists = {
    personal: ["p1", "p2"],
    related: new Map([
      ["page", ["r1", "r2"]],
      ["v1", ["h1", "r2"]],
    ]),
    popular: ["pop1", "p1"],
    bought: [],
    bestSellers: [],
  };

  it("ranks the page product's related products first on a product page", () => {
    const ranked = fuseLists(weightedSources(request({ context: "product", productId: "page" }), lists));
    expect(ranked.slice(0, 2)).toEqual(["r1", "r2"]);
    expect(ranked).toContain("p1");
  });

  it("ranks a known customer's own list first elsewhere, and lets popularity only fill", () => {
    const ranked = fuseLists(weightedSources(request(), lists));
    expect(ranked).toEqual(["p1", "p2", "pop1"]);
  });

  it("gives an anonymous visitor the related products of what they viewed, recent views counting more", () => {
    const anonymous: SourceLists = { ...lists, personal: [] };
    const ranked = fuseLists(weightedSources(request({ history: ["v1", "page"] }), anonymous));
    // r2 is related to both viewed products, so it beats each list's own top item.
    expect(ranked[0]).toBe("r2");
    expect(ranked.indexOf("h1")).toBeLessThan(ranked.indexOf("r1"));
    expect(ranked.indexOf("r1")).toBeLessThan(ranked.indexOf("pop1"));
  });

  it("returns exactly the head of the full ranking when asked for the best few, ties at the cut included", () => {
    // Many equal scores: the same rank in several equally weighted lists.
    const ids = (prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}${i % 10}-${i}`);
    const sources = [
      { ids: ids("a"), weight: 1 },
      { ids: ids("b"), weight: 1 },
      { ids: ids("a").reverse(), weight: 0.5 },
      { ids: ["x", "y", "z"], weight: 1 },
    ];
    const full = fuseLists(sources);
    expect(full).toHaveLength(63);
    for (const take of [0, 1, 2, 3, 7, 20, 62, 63, 100]) expect(fuseLists(sources, take)).toEqual(full.slice(0, take));
  });

  it("cuts correctly on many random blends", () => {
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    for (let trial = 0; trial < 200; trial++) {
      const sources = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
        ids: [...new Set(Array.from({ length: Math.floor(random() * 30) }, () => String(Math.floor(random() * 60))))],
        weight: [1, 0.5, 0.25][Math.floor(random() * 3)]!,
      }));
      const full = fuseLists(sources);
      const take = Math.floor(random() * 40);
      expect(fuseLists(sources, take)).toEqual(full.slice(0, take));
    }
  });

  it("asks for the related lists of the page product, the cart and the history, once each", () => {
    expect(relatedSeeds(request({ context: "product", productId: "1", cart: ["2"], history: ["1", "3"] }))).toEqual([
      "1",
      "2",
      "3",
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
