import { describe, expect, it } from "vitest";
import { FEATURE_NAMES, featuresAsOf } from "../../../app/lib/churn/features";
import { PRODUCT_TIMING_NAMES, productTimings, productTimingValues } from "../../../app/lib/churn/product-timing";
import { DAY_MS, type ChurnOrder } from "../../../app/lib/churn/types";

const T0 = Date.UTC(2026, 0, 1);
const at = (day: number) => T0 + day * DAY_MS;
const order = (customerId: string, day: number, items: string[]): ChurnOrder => ({
  customerId,
  at: new Date(at(day)),
  total: 10,
  items,
});
const CUTOFF = at(100);
const H = 20;

// Worked by hand. Cutoff day 100, horizon 20 (recent window days 81–100, previous 61–80).
// p is bought again by A (days 10, 30, 50: gaps 20, 20), B (days 40, 70: gap 30) and C
// (days 60, 61: gap 1): gaps 1, 20, 20, 30, median (upper middle) 20. q: A day 10 and
// B day 90, never twice by one customer, so no cycle. r: B day 99. Day 120 is after the cutoff.
const orders = [
  order("A", 10, ["p", "q"]),
  order("A", 30, ["p"]),
  order("A", 50, ["p"]),
  order("B", 40, ["p"]),
  order("B", 70, ["p"]),
  order("C", 60, ["p"]),
  order("C", 61, ["p"]),
  order("B", 90, ["q"]),
  order("B", 99, ["r"]),
  order("C", 120, ["r"]),
];
const sorted = orders.filter((o) => o.at.getTime() <= CUTOFF).sort((a, b) => a.at.getTime() - b.at.getTime());
const value = (f: { values: number[] }, name: (typeof FEATURE_NAMES)[number]) => f.values[FEATURE_NAMES.indexOf(name)]!;
const byId = new Map(featuresAsOf(orders, CUTOFF, H).map((f) => [f.customerId, f]));
const timingOf = (id: string) => PRODUCT_TIMING_NAMES.map((n) => value(byId.get(id)!, n));

describe("product timing", () => {
  it("takes a product's cycle from customers' repeat gaps and its sales from the last two horizons", () => {
    const timings = productTimings(
      sorted,
      new Map([
        ["p", [20, 20, 30, 1]],
        ["q", [5, 5]],
      ]),
      CUTOFF,
      H,
    );
    // p: sold on days 61 and 70 in the previous window (day 60 is not after day 60), none since.
    expect(timings.get("p")).toEqual({
      cycleDays: 20,
      recentOrders: 0,
      previousOrders: 2,
      lastSoldAt: at(70),
      firstSoldAt: at(10),
    });
    // q has two gaps only (fewer than MIN_CYCLE_GAPS), so no cycle.
    expect(timings.get("q")).toEqual({ recentOrders: 1, previousOrders: 0, lastSoldAt: at(90), firstSoldAt: at(10) });
    expect(timings.has("r")).toBe(true);
  });

  it("gives A nothing due: p (cycle 20, own gap 20) was last bought 50 days ago", () => {
    expect(timingOf("A")).toEqual(
      [
        Math.log(2 / 3) / 2, // momentum: p log(1/3), q log(2/1)
        0.5, // q sold within 30 days, p not (30 days ago)
        1, // both first sold 90 days ago, capped at 2H
        0,
        Math.log1p(30),
        Math.log1p(1), // shop cycle: p due in 20 - 50 = -30 days: too late
        0,
        Math.log1p(30),
        0, // own cycle: (50 - 10) / 2 = 20, same
      ].map((v) => expect.closeTo(v, 10)),
    );
  });

  it("marks B's p due by both cycles, and weighs r's youth", () => {
    expect(timingOf("B")).toEqual(
      [
        Math.log(4 / 3) / 3,
        2 / 3,
        (1 + 1 + 1 / 40) / 3, // r first sold one day ago
        1,
        Math.log1p(10),
        Math.log1p(1), // 20 - 30 = -10: within a horizon
        1,
        0,
        Math.log1p(1), // own gap 30, last bought 30 days ago: due today
      ].map((v) => expect.closeTo(v, 10)),
    );
  });

  it("uses the customer's own gap where it differs from the shop's", () => {
    expect(timingOf("C")).toEqual(
      [
        Math.log(1 / 3),
        0,
        1,
        1,
        Math.log1p(19),
        Math.log1p(1), // shop: 20 - 39 = -19, just within
        0,
        Math.log1p(38),
        0, // own: 1 - 39 = -38, long overdue
      ].map((v) => expect.closeTo(v, 10)),
    );
  });

  it("gives a customer without products zeros and the far 'nearest' cap", () => {
    const values = productTimingValues(new Map(), new Map(), CUTOFF, H);
    expect(values).toEqual([0, 0, 0, 0, Math.log1p(60), 0, 0, Math.log1p(60), 0]);
  });
});
