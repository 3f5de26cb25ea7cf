import { describe, expect, it } from "vitest";
import { BadRecommendationRequest, parseRecommendationRequest } from "../../../app/lib/recommendations/request";

const parse = (query: Record<string, string>) => parseRecommendationRequest(new URLSearchParams(query));

describe("parseRecommendationRequest", () => {
  it("reads what the block sends", () => {
    expect(
      parse({
        context: "product",
        limit: "6",
        product_id: "42",
        cart: "1,2",
        history: "5,4,3",
        visitor: "a".repeat(32),
      }),
    ).toEqual({
      context: "product",
      strategy: "for_you",
      limit: 6,
      productId: "42",
      collectionId: null,
      cart: ["1", "2"],
      history: ["5", "4", "3"],
      visitorId: "a".repeat(32),
    });
  });

  it("reads the strategy, defaulting to for you, and refuses an unknown one with the allowed names", () => {
    expect(parse({ strategy: "buy_again" }).strategy).toBe("buy_again");
    expect(parse({ strategy: "" }).strategy).toBe("for_you");
    expect(() => parse({ strategy: "trending" })).toThrow(
      new BadRecommendationRequest("strategy must be one of for_you, buy_again, new_for_you, related, complete_cart"),
    );
  });

  it("defaults to the home context and four products", () => {
    expect(parse({})).toMatchObject({ context: "home", limit: 4, cart: [], history: [] });
  });

  it("clamps a count outside 2–12", () => {
    expect(parse({ limit: "0" }).limit).toBe(2);
    expect(parse({ limit: "-5" }).limit).toBe(2);
    expect(parse({ limit: "500" }).limit).toBe(12);
  });

  it("drops malformed and repeated ids, and caps an oversized history at 20", () => {
    const request = parse({
      product_id: "gid://x",
      cart: "1,abc,,1,2",
      history: Array.from({ length: 500 }, (_, i) => i + 1).join(","),
    });
    expect(request.productId).toBeNull();
    expect(request.cart).toEqual(["1", "2"]);
    expect(request.history).toHaveLength(20);
    expect(request.history[0]).toBe("1");
  });

  it("ignores a malformed visitor id", () => {
    expect(parse({ visitor: "<script>" }).visitorId).toBeNull();
  });

  it("answers 400 when the request makes no sense", () => {
    expect(() => parse({ context: "checkout" })).toThrow(BadRecommendationRequest);
    expect(() => parse({ limit: "many" })).toThrow(BadRecommendationRequest);
    expect(() => parse({ limit: "2.5" })).toThrow(BadRecommendationRequest);
  });
});
