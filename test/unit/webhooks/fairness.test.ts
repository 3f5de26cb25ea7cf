import { describe, expect, it } from "vitest";
import { createShopRanker, FAIRNESS_WINDOW_MS, MAX_PRIORITY } from "../../../app/lib/webhooks/fairness";

describe("createShopRanker", () => {
  it("ranks each shop's deliveries on its own, so a quiet shop stays near the front", () => {
    const rank = createShopRanker(() => 0);
    const flood = Array.from({ length: 1_000 }, () => rank("big.myshopify.com"));
    expect(flood.slice(0, 3)).toEqual([1, 2, 3]);
    expect(flood.at(-1)).toBe(1_000);
    expect([rank("small.myshopify.com"), rank("small.myshopify.com")]).toEqual([1, 2]);
  });

  it("starts every shop again at 1 in a new window", () => {
    let now = 5;
    const rank = createShopRanker(() => now);
    rank("a.myshopify.com");
    expect(rank("a.myshopify.com")).toBe(2);
    now = FAIRNESS_WINDOW_MS + 5;
    expect(rank("a.myshopify.com")).toBe(1);
  });

  it("never goes past BullMQ's largest priority", () => {
    const rank = createShopRanker(() => 0);
    let last = 0;
    for (let i = 0; i < MAX_PRIORITY + 5; i++) last = rank("a.myshopify.com");
    expect(last).toBe(MAX_PRIORITY);
  });
});
