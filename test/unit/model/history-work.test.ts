import { describe, expect, it } from "vitest";
import { indexShopData } from "../../../app/lib/model/dataset";
import { buildExamples } from "../../../app/lib/model/examples";
import { buildSnapshots } from "../../../app/lib/model/snapshots";
import { buildTimeSplit } from "../../../app/lib/model/split";
import { order } from "./fixtures";

/** One customer ordering weekly for `orders` weeks: three staples and two products never seen before. */
function loyalCustomer(orders: number) {
  const history = Array.from({ length: orders }, (_, i) =>
    order(`o${i}`, "only", 7 * i, ["S1", "S2", "S3", `new${2 * i}`, `new${2 * i + 1}`]),
  );
  const data = indexShopData(history, []);
  const snapshots = buildSnapshots(data, data.orders[data.orders.length - 1]!.at);
  const examples = buildExamples(data, buildTimeSplit(data), snapshots);
  return { snapshots, examples };
}

describe("Given one customer with a long history, work grows linearly with it", () => {
  const sizes = [100, 200, 400] as const;
  const runs = sizes.map((n) => ({ n, ...loyalCustomer(n) }));

  it("rebuilds neighbour rows only for products sold since the last table", () => {
    // Before: every table recomputed every row, so (history span × catalog) rows: 101 × 2003 at 400 orders.
    // Now each order line refreshes its product's row at most twice (sold; bought before a
    // next order) in each of the two tables (same order, next order).
    for (const { n, snapshots } of runs) expect(snapshots.work.rows).toBeLessThanOrEqual(4 * 5 * n);
    const [small, , large] = runs.map((r) => r.snapshots.work.rows) as [number, number, number];
    expect(large / small).toBeLessThan(4.5);
  });

  it("computes per-day popularity arrays only on days that change them", () => {
    // A weekly order changes a day (its sale) and, four weeks later, another (its expiry).
    for (const { n, snapshots } of runs) expect(snapshots.work.dayArrays).toBeLessThanOrEqual(2 * n + 1);
  });

  it("keeps every example's candidate list bounded, however long the history", () => {
    for (const { n, examples } of runs) {
      expect(examples).toHaveLength(n - 1);
      const widest = Math.max(...examples.map((e) => e.row.featureIndex.length));
      // maxPast 250 + co-occurrence 60 + next 30 + popular 20 (defaults; no views here).
      expect(widest).toBeLessThanOrEqual(360);
    }
  });
});
