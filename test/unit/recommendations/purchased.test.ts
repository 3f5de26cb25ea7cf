import { describe, expect, it } from "vitest";
import { purchasedByCustomer } from "../../../app/lib/recommendations/purchased";

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
