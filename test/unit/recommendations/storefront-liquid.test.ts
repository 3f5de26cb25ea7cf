import { describe, expect, it } from "vitest";
import type { StoredCard } from "../../../app/lib/storefront-store/card";
import {
  cardHandle,
  liquidCandidates,
  renderRecommendationsLiquid,
  renderRecommendationsLiquidBytes,
} from "../../../app/lib/recommendations/storefront-liquid";
import { renderProxyLiquid, type StorefrontProduct } from "../../../dev/storefront/proxy-liquid";

const card = (handle: string, available = true) => ({ url: `/products/${handle}`, available }) as StoredCard;
const product = (handle: string, over: Partial<StorefrontProduct> = {}): StorefrontProduct => ({
  id: String(handle.length),
  handle,
  title: `Title of ${handle}`,
  variantId: "77",
  price: 12.5,
  compareAtPrice: null,
  available: true,
  image: { url: `https://cdn.example/${handle}.jpg`, width: 800, height: 800, alt: "" },
  ...over,
});

type Rendered = { recommendationId: string; currency: string; products: Array<Record<string, unknown>> };
async function render(template: string, products: Record<string, StorefrontProduct>, rootUrl = "/") {
  const out = await renderProxyLiquid(template, { rootUrl, currency: "EUR", product: (h) => products[h] });
  return JSON.parse(out) as Rendered;
}

describe("the storefront-context (Liquid) answer", () => {
  it("renders at most the block's count, skipping what the market does not sell or has sold out", async () => {
    const template = renderRecommendationsLiquid(
      { recommendationId: "rec_1", products: ["a", "b", "c", "d", "e"].map((h) => card(h)) },
      3,
    );
    const body = await render(
      template,
      { a: product("a"), c: product("c", { available: false }), d: product("d"), e: product("e") },
      "/fr",
    );
    expect(body.recommendationId).toBe("rec_1");
    expect(body.currency).toBe("EUR");
    expect(body.products.map((p) => p.url)).toEqual(["/fr/products/a", "/fr/products/d", "/fr/products/e"]);
    expect(body.products[0]).toMatchObject({ title: "Title of a", price: 12.5, compareAtPrice: null, available: true });
    const image = body.products[0]!.image as { url: string; srcset: string };
    expect(image.url).toBe("https://cdn.example/a.jpg?width=540");
    expect(image.srcset.split(",").filter(Boolean)).toHaveLength(6); // 160 … 720, not wider than the original
  });

  it("keeps a product serving knew was sold out (the merchant shows those), with its compare-at price", async () => {
    const template = renderRecommendationsLiquid({ recommendationId: "r", products: [card("a", false)] }, 2);
    const body = await render(template, { a: product("a", { available: false, compareAtPrice: 20 }) });
    expect(body.products).toEqual([
      expect.objectContaining({ url: "/products/a", available: false, compareAtPrice: 20 }),
    ]);
  });

  it("never puts anything but a catalog handle into the Liquid, and asks for 20 handles at most", () => {
    expect(cardHandle(card("ok-handle_2"))).toBe("ok-handle_2");
    expect(cardHandle(card("x'{{ customer.email }}"))).toBeNull();
    expect(cardHandle({ url: "https://elsewhere/products/a" })).toBeNull();
    const many = Array.from({ length: 30 }, (_, i) => card(`p${i}`));
    const template = renderRecommendationsLiquid(
      { recommendationId: "r", products: [card("bad'}}{{ shop }}"), ...many] },
      12,
    );
    expect(template).not.toContain("shop }}");
    expect(/affinity_handles = '([^']*)'/.exec(template)![1]!.split(",")).toHaveLength(20);
    expect(() => renderRecommendationsLiquid({ recommendationId: "{{x}}", products: [] }, 2)).toThrow();
    expect(liquidCandidates(2)).toBe(4);
    expect(liquidCandidates(4)).toBe(6);
    expect(liquidCandidates(12)).toBe(18);
  });

  it("renders an empty list when the market sells none of them", async () => {
    const template = renderRecommendationsLiquid({ recommendationId: "r", products: [card("a")] }, 2);
    expect((await render(template, {})).products).toEqual([]);
  });

  it("sends the same bytes as the string answer, non-ASCII handles and sold-out cards included", () => {
    const cards = [card("a"), card("çà-ü_2"), card("b", false), card("日本-1"), card("a"), card("bad'x")];
    for (const [products, limit] of [
      [cards, 4],
      [[], 2],
      [cards.slice(2), 12],
    ] as const) {
      const answer = { recommendationId: "Ab_-9xYz0123", products };
      const bytes = renderRecommendationsLiquidBytes(answer, limit);
      expect(bytes.toString("utf8")).toBe(renderRecommendationsLiquid(answer, limit));
      expect(bytes.length).toBe(Buffer.byteLength(renderRecommendationsLiquid(answer, limit)));
    }
    expect(() => renderRecommendationsLiquidBytes({ recommendationId: "{{x}}", products: [] }, 2)).toThrow();
  });

  it("checks a card's handle once, and a new card object (changed text) again", () => {
    const shown = card("old-handle");
    const first = renderRecommendationsLiquid({ recommendationId: "r", products: [shown] }, 2);
    expect(first).toContain("'old-handle'");
    // A product whose handle changed arrives as a new card object: its new handle is rendered.
    const changed = card("new-handle");
    const second = renderRecommendationsLiquid({ recommendationId: "r", products: [changed] }, 2);
    expect(second).toContain("'new-handle'");
    expect(second).not.toContain("old-handle");
  });
});
