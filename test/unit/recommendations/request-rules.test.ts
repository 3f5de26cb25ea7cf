import { describe, expect, it } from "vitest";
import {
  parseRecommendationRequest,
  parseWithRules,
  type RecommendationRequest,
} from "../../../app/lib/recommendations/request";

/** The answer or the refusal's message, so both parsers can be compared whole. */
function outcome(parse: (q: URLSearchParams) => RecommendationRequest, query: URLSearchParams) {
  try {
    return { request: parse(query) };
  } catch (error) {
    return { refused: (error as Error).name, message: (error as Error).message };
  }
}

// undefined: the parameter is absent.
const CONTEXTS = [undefined, "", "home", "product", "cart", "collection", "checkout", "HOME", " home"];
const STRATEGIES = [undefined, "", "for_you", "related", "complete_cart", "trending", "For_you"];
const LIMITS = [
  undefined,
  "",
  "4",
  "0",
  "-5",
  "500",
  "2.5",
  "many",
  " 6 ",
  "0x10",
  "1e3",
  "-0",
  "Infinity",
  "NaN",
  "9007199254740993",
  "1e400",
  "+7",
  ".5",
  "7.",
];
const OTHERS: Record<string, string>[] = [
  {},
  { product_id: "42", cart: "1,abc,,1,2", history: "5,4,3", visitor: "a".repeat(32) },
  { product_id: "gid://x", collection_id: "7", visitor: "<script>", history: "x" },
];

describe("the request's hand-written checks agree with its zod rules", () => {
  it("on every combination of good and bad context, strategy and limit", () => {
    let compared = 0;
    for (const context of CONTEXTS)
      for (const strategy of STRATEGIES)
        for (const limit of LIMITS)
          for (const others of OTHERS) {
            const query = new URLSearchParams(others);
            if (context !== undefined) query.set("context", context);
            if (strategy !== undefined) query.set("strategy", strategy);
            if (limit !== undefined) query.set("limit", limit);
            expect(outcome(parseRecommendationRequest, query), query.toString()).toEqual(
              outcome(parseWithRules, query),
            );
            compared++;
          }
    expect(compared).toBeGreaterThan(3_000);
  });
});
