import { describe, expect, it } from "vitest";
import { bigShopCatalog, bigShopOrders, type BigShopSource } from "../../bench/bigshop/generate";

const at = (d: number) => new Date(Date.UTC(2011, 0, 1 + d));
const source: BigShopSource = {
  catalog: ["A", "B", "C", "D"].map((productId) => ({ productId, title: productId, price: 2 })),
  orders: [
    {
      orderId: "1",
      customerId: "x",
      at: at(0),
      items: [
        { productId: "A", quantity: 2, price: 2 },
        { productId: "B", quantity: 1, price: 2 },
      ],
    },
    { orderId: "2", customerId: "y", at: at(3), items: [{ productId: "C", quantity: 1, price: 2 }] },
    {
      orderId: "3",
      customerId: "x",
      at: at(9),
      items: [
        { productId: "A", quantity: 1, price: 2 },
        { productId: "D", quantity: 4, price: 2 },
      ],
    },
  ],
};

describe("big shop generator", () => {
  it("emits exactly the orders asked for, the same for the same seed", () => {
    const first = [...bigShopOrders(source, { orders: 100, seed: 3 })];
    const again = [...bigShopOrders(source, { orders: 100, seed: 3 })];
    const other = [...bigShopOrders(source, { orders: 100, seed: 4 })];
    expect(first).toHaveLength(100);
    expect(again).toEqual(first);
    expect(other.map((o) => o.at.getTime())).not.toEqual(first.map((o) => o.at.getTime()));
    expect(new Set(first.map((o) => o.orderId)).size).toBe(100);
  });

  it("keeps each real basket and each clone's own spacing between orders", () => {
    const orders = [...bigShopOrders(source, { orders: 30, catalogCopies: 1 })];
    for (let clone = 0; clone < 10; clone++) {
      const [o1, o2, o3] = orders.slice(clone * 3, clone * 3 + 3);
      expect(o1!.items.map((i) => i.quantity)).toEqual([2, 1]);
      expect(o3!.items.map((i) => i.quantity)).toEqual([1, 4]);
      // Same clone of customer x: same id and the source's nine days between its orders.
      expect(o3!.customerId).toBe(o1!.customerId);
      expect(o3!.at.getTime() - o1!.at.getTime()).toBe(9 * 86_400_000);
      expect(o2!.customerId).not.toBe(o1!.customerId);
      // With one copy the product ids map one to one: A in both of x's orders.
      expect(o3!.items[0]!.productId).toBe(o1!.items[0]!.productId);
    }
  });

  it("grows the catalog by copies, and a clone buys mostly from its own copy", () => {
    const catalog = [...bigShopCatalog(source, { orders: 1, catalogCopies: 5 })];
    expect(catalog).toHaveLength(20);
    expect(new Set(catalog.map((c) => c.productId)).size).toBe(20);
    const ids = new Set(catalog.map((c) => c.productId));
    const orders = [...bigShopOrders(source, { orders: 3_000, catalogCopies: 5, crossShare: 0.1 })];
    let lines = 0;
    let crossing = 0;
    orders.forEach((o, i) => {
      const home = Math.floor(i / 3) % 5;
      for (const line of o.items) {
        expect(ids.has(line.productId)).toBe(true);
        lines++;
        if (Math.floor((Number(line.productId) - 100_000_000) / 100_000) !== home) crossing++;
      }
    });
    expect(crossing / lines).toBeGreaterThan(0.05);
    expect(crossing / lines).toBeLessThan(0.15);
  });
});
