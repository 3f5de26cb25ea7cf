import { describe, expect, it } from "vitest";
import { FEATURE_NAMES, featuresAsOf } from "../../../app/lib/churn/features";
import { DAY_MS, type ChurnOrder } from "../../../app/lib/churn/types";

const T0 = Date.UTC(2026, 0, 1);
const order = (customerId: string, day: number, items: string[], total = 10): ChurnOrder => ({
  customerId,
  at: new Date(T0 + day * DAY_MS),
  total,
  items,
});
const value = (f: { values: number[] }, name: (typeof FEATURE_NAMES)[number]) => f.values[FEATURE_NAMES.indexOf(name)]!;

// Worked by hand. Cutoff: day 100, horizon 60.
// A: days 10 {p,q}, 40 {p}, 95 {p,r}. B: day 50 {q}. C: day 120 {p} (after the cutoff: unseen).
const orders = [
  order("A", 10, ["p", "q"]),
  order("A", 40, ["p"]),
  order("A", 95, ["p", "r"]),
  order("B", 50, ["q"]),
  order("C", 120, ["p"]),
];
const byId = new Map(featuresAsOf(orders, T0 + 100 * DAY_MS, 60).map((f) => [f.customerId, f]));

describe("churn features from the products bought", () => {
  it("sees only orders at or before the cutoff", () => {
    expect([...byId.keys()].sort()).toEqual(["A", "B"]);
  });

  it("counts recent orders, active months and the spread of gaps", () => {
    const a = byId.get("A")!;
    expect(value(a, "orders_last_30d")).toBe(1); // day 95 only
    // Months back from the cutoff: day 95 → 0, day 40 → 2, day 10 → 3: three of six.
    expect(value(a, "active_months_of_6")).toBeCloseTo(3 / 6, 10);
    // Gaps 30 and 55: mean 42.5, population sd 12.5.
    expect(value(a, "interval_cv")).toBeCloseTo(12.5 / 42.5, 10);
  });

  it("reads the kind of buyer from the products: distinct items, lines per order, re-bought share", () => {
    const a = byId.get("A")!;
    expect(value(a, "log_distinct_items")).toBeCloseTo(Math.log1p(3), 10);
    expect(value(a, "log_lines_per_order")).toBeCloseTo(Math.log1p(5 / 3), 10);
    expect(value(a, "rebought_item_share")).toBeCloseTo(1 / 3, 10); // p of {p, q, r}
  });

  it("scores staple products by how many of their buyers came back for them, shop-wide and smoothed", () => {
    // p: 1 buyer, 1 repeater → 1.6/3; q: 2 buyers, 0 → 0.6/4; r: 1 buyer, 0 → 0.6/3.
    const p = 1.6 / 3;
    const q = 0.6 / 4;
    const r = 0.6 / 3;
    expect(value(byId.get("A")!, "staple_affinity")).toBeCloseTo((p + q + r) / 3, 10);
    expect(value(byId.get("B")!, "staple_affinity")).toBeCloseTo(q, 10);
  });

  it("leaves the product features at zero when orders carry no products", () => {
    const bare = featuresAsOf([{ customerId: "X", at: new Date(T0), total: 5 }], T0 + DAY_MS, 60)[0]!;
    expect(value(bare, "log_distinct_items")).toBe(0);
    expect(value(bare, "staple_affinity")).toBe(0);
    expect(bare.values.every(Number.isFinite)).toBe(true);
  });
});

describe("churn features from discounts and refunds", () => {
  it("shares discount over what was paid before discounts, and refunds over what was paid", () => {
    // Paid 10 + 30 after discounts of 0 and 10 (so 50 before them); 8 of the 40 paid refunded later.
    const money = [
      { customerId: "D", at: new Date(T0), total: 10 },
      { customerId: "D", at: new Date(T0 + 20 * DAY_MS), total: 30, discount: 10, refunded: 8 },
    ];
    const d = featuresAsOf(money, T0 + 30 * DAY_MS, 60)[0]!;
    expect(value(d, "discount_share")).toBeCloseTo(10 / 50, 10);
    expect(value(d, "refund_share")).toBeCloseTo(8 / 40, 10);
  });

  it("caps the refund share at everything paid", () => {
    const d = featuresAsOf([{ customerId: "D", at: new Date(T0), total: 10, refunded: 25 }], T0 + DAY_MS, 60)[0]!;
    expect(value(d, "refund_share")).toBe(1);
    expect(value(d, "discount_share")).toBe(0);
  });
});
