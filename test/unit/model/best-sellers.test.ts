import { describe, expect, it } from "vitest";
import { BestSellersClock, evaluateBestSellers, rankBySold } from "../../../app/lib/model/best-sellers";
import { indexShopData } from "../../../app/lib/model/dataset";
import { evaluateFirstVisitPopularity, firstVisitCases } from "../../../app/lib/model/first-visit-eval";
import type { HistoryOrder } from "../../../app/lib/model/types";
import { bestSellers } from "../../../app/lib/training/purchased";
import { catalogOf, order } from "./fixtures";

const DAY = 86_400_000;

/** An order of `units` of each product. */
function unitsOrder(orderId: string, customerId: string, day: number, lines: Record<string, number>): HistoryOrder {
  const base = order(orderId, customerId, day, []);
  return { ...base, items: Object.entries(lines).map(([productId, quantity]) => ({ productId, quantity, price: 1 })) };
}

describe("best sellers (issue 15: the holdout's list, measured where it is served)", () => {
  it("ranks by units, equal units by id, and leaves out what netted to nothing", () => {
    const sold: Array<[string, number]> = [
      ["b", 3],
      ["c", 5],
      ["a", 3],
      ["z", 0],
      ["r", -2],
      ["d", 1],
    ];
    expect(rankBySold(sold, (id) => id, 10)).toEqual(["c", "a", "b", "d"]);
    expect(rankBySold(sold, (id) => id, 2)).toEqual(["c", "a"]);
    expect(rankBySold(sold, (id) => id, 0)).toEqual([]);
  });

  it("counts the 90 days before each cutoff, no later order and no older one", () => {
    const data = indexShopData(
      [
        unitsOrder("o1", "a", 0, { A: 10 }),
        unitsOrder("o2", "b", 50, { B: 4 }),
        unitsOrder("o3", "c", 80, { C: 6, B: 1 }),
        unitsOrder("o4", "d", 120, { D: 2 }),
      ],
      catalogOf(["A", "B", "C", "D"]),
    );
    const clock = new BestSellersClock(data);
    const ids = (items: number[]) => items.map((i) => data.productIds[i]);
    const at = (day: number) => data.orders[0]!.at + day * DAY;
    // Day 80, strictly before o3: A (day 0) and B (day 50) are inside the window.
    expect(ids(clock.listAt(at(80), 10))).toEqual(["A", "B"]);
    // Day 95: o1 has left the window (day 0 < 95 − 90); o3 is in.
    expect(ids(clock.listAt(at(95), 10))).toEqual(["C", "B"]);
    // Day 200: only o4 (day 120) is within 90 days.
    expect(ids(clock.listAt(at(200), 10))).toEqual(["D"]);
  });

  it("keeps an order placed exactly 90 days before the cutoff, as the stored list keeps one 90 days before the last", () => {
    const orders = [unitsOrder("o1", "a", 0, { A: 1 }), unitsOrder("o2", "b", 10, { B: 5 })];
    const data = indexShopData(orders, catalogOf(["A", "B"]));
    const ids = (items: number[]) => items.map((i) => data.productIds[i]);
    const day0 = data.orders[0]!.at;
    expect(ids(new BestSellersClock(data).listAt(day0 + 90 * DAY, 10))).toEqual(["B", "A"]);
    expect(ids(new BestSellersClock(data).listAt(day0 + 90 * DAY + 1, 10))).toEqual(["B"]);
    // The stored list looks back from its own last order: day 0 is on the edge at day 90, out at day 91.
    expect(bestSellers([orders[0]!, unitsOrder("o3", "c", 90, { B: 5 })], 10)).toEqual(["B", "A"]);
    expect(bestSellers([orders[0]!, unitsOrder("o3", "c", 91, { B: 5 })], 10)).toEqual(["B"]);
  });

  it("ranks at a cutoff exactly as the stored list ranks the orders before it", () => {
    const orders = Array.from({ length: 60 }, (_, i) =>
      unitsOrder(`o${i}`, `c${i % 7}`, i * 7, { [`P${i % 5}`]: 1 + (i % 4), [`P${(i * 7) % 11}`]: 2 }),
    );
    const catalog = catalogOf(Array.from({ length: 11 }, (_, i) => `P${i}`));
    const data = indexShopData(orders, catalog);
    const clock = new BestSellersClock(data);
    for (const day of [42, 98, 154, 182, 406]) {
      // Just after the order of `day`: the stored list of the history up to it looks back from that
      // order, the clock from the cutoff a millisecond later. Orders are a week apart and 90 days
      // is not a whole number of weeks, so no order sits between the two windows' starts.
      const cutoff = data.orders[0]!.at + day * DAY + 1;
      const served = bestSellers(
        orders.filter((o) => o.at.getTime() < cutoff),
        10,
      );
      expect(served.length).toBeGreaterThan(3);
      expect(clock.listAt(cutoff, 10).map((i) => data.productIds[i])).toEqual(served);
    }
  });

  it("scores first orders, and differs from all-time popularity once old sales leave the window", () => {
    const data = indexShopData(
      [
        unitsOrder("o1", "a", 0, { A: 1 }),
        unitsOrder("o2", "b", 1, { A: 1 }),
        unitsOrder("o3", "c", 100, { B: 1 }),
        unitsOrder("o4", "d", 101, { B: 1 }),
      ],
      catalogOf(["A", "B"]),
    );
    const cases = firstVisitCases(data);
    const best = evaluateBestSellers(data, cases, 10);
    // a: nothing sold yet (no list); b: A first; c: A is over 90 days old, nothing left; d: B first.
    expect(best.cases).toBe(4);
    expect(best.ndcg).toBeCloseTo(0.5, 10);
    // All-time popularity lists every product (ties by index): A first for a and b, B second for c and d.
    const second = 1 / Math.log2(3);
    expect(evaluateFirstVisitPopularity(data, cases, 10).ndcg).toBeCloseTo((2 + 2 * second) / 4, 10);
  });
});
