import { describe, expect, it } from "vitest";
import { bestSellers, purchasedByCustomer } from "../../../app/lib/training/purchased";

const order = (customerId: string, day: number, ...productIds: string[]) => ({
  orderId: `${customerId}-${day}`,
  customerId,
  at: new Date(2026, 0, day),
  items: productIds.map((productId) => ({ productId, quantity: 1, price: 1 })),
});

describe("purchasedByCustomer", () => {
  it("lists each customer's products once, most recently bought first, up to the cap", () => {
    const orders = [order("a", 1, "1", "2"), order("a", 3, "3", "1"), order("b", 2, "9")];
    expect(purchasedByCustomer(orders)).toEqual(
      new Map([
        ["a", ["3", "1", "2"]],
        ["b", ["9"]],
      ]),
    );
    expect(purchasedByCustomer(orders, 2).get("a")).toEqual(["3", "1"]);
  });
});

describe("bestSellers", () => {
  it("ranks products by quantity sold in the last 90 days of the history", () => {
    const line = (productId: string, quantity: number) => ({ productId, quantity, price: 1 });
    const orders = [
      { orderId: "old", customerId: "a", at: new Date(2025, 0, 1), items: [line("9", 100)] },
      { orderId: "1", customerId: "a", at: new Date(2026, 0, 1), items: [line("1", 2), line("2", 5)] },
      { orderId: "2", customerId: "b", at: new Date(2026, 1, 1), items: [line("1", 4), line("3", 1)] },
    ];
    expect(bestSellers(orders, 2)).toEqual(["1", "2"]);
    expect(bestSellers(orders, 10)).toEqual(["1", "2", "3"]);
  });
});
