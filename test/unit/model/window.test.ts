import { describe, expect, it } from "vitest";
import {
  capsForBudget,
  chooseWindow,
  countsOfOrders,
  describeWindow,
  windowed,
  type HistoryCounts,
} from "../../../app/lib/model/window";
import type { HistoryOrder } from "../../../app/lib/model/types";

const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 12));
const order = (id: number, d: number, products: string[]): HistoryOrder => ({
  orderId: `o${id}`,
  customerId: `c${id % 3}`,
  at: day(d),
  items: products.map((productId) => ({ productId, quantity: 1, price: 1 })),
});

/** Ten days, one order a day with three lines; day 9 buys only "z". */
const history = Array.from({ length: 10 }, (_, d) => order(d, d, d === 9 ? ["z", "z2", "z3"] : ["a", "b", `p${d}`]));

describe("training window", () => {
  it("caps grow with the budget and never fall below their floors", () => {
    const small = capsForBudget(256);
    const large = capsForBudget(8_192);
    expect(large.maxLines).toBeGreaterThan(small.maxLines);
    expect(large.maxItems).toBeGreaterThan(small.maxItems);
    expect(small.maxItems).toBeGreaterThanOrEqual(500);
    expect(small.maxLines).toBeGreaterThanOrEqual(20_000);
  });

  it("keeps everything when the history fits", async () => {
    const { window, keep } = await chooseWindow(
      countsOfOrders(() => history),
      1_536,
    );
    expect(window.since).toBeNull();
    expect(keep).toBeNull();
    expect(window.linesTotal).toBe(30);
    expect(describeWindow(window)).toBeNull();
  });

  it("starts at the earliest day whose lines fit, and keeps the most bought products in it", async () => {
    const caps = capsForBudget(256);
    // Scale the toy history so that the line cap cuts it: every line of day d counts `scale` times.
    const scale = Math.floor(caps.maxLines / 18);
    const counts = countsOfOrders(() => history);
    const scaled: HistoryCounts = {
      ...counts,
      linesSince: async (since) => (await counts.linesSince(since)) * scale,
      linesPerProduct: async (since) => {
        const perProduct = new Map([...(await counts.linesPerProduct(since))].map(([id, n]) => [id, n * scale]));
        // Many more products than the cap, the tail with no lines: the named ones lead.
        for (let i = 0; i < caps.maxItems; i++) perProduct.set(`tail${i}`, 0);
        return perProduct;
      },
    };
    const { window, keep } = await chooseWindow(scaled, 256);
    // 6 days × 3 lines × scale fit the cap and 7 days do not: days 4..9.
    expect(window.since?.toISOString()).toBe("2026-01-05T00:00:00.000Z");
    expect(window.linesKept).toBe(18 * scale);
    expect(keep?.size).toBe(caps.maxItems);
    expect([...keep!].slice(0, 2).sort()).toEqual(["a", "b"]);
    expect(describeWindow(window)).toMatch(/^Trained on orders from 2026-01-05 on and the [\d,]+ most bought products/);
  });

  it("counts as kept only the lines of the products kept, not the whole day window", async () => {
    // Every day fits; a and b (nine lines each) are the two most bought, the other twelve lines go.
    const { window, keep } = await chooseWindow(
      countsOfOrders(() => history),
      1_536,
      {
        maxLines: 1_000,
        maxItems: 2,
      },
    );
    expect(window.since).toBeNull();
    expect([...keep!].sort()).toEqual(["a", "b"]);
    expect(window.linesKept).toBe(18);
    const held = history
      .map((o) => windowed(o, window.since, keep))
      .reduce((sum, o) => sum + (o?.items.length ?? 0), 0);
    expect(held).toBe(window.linesKept);
    expect(describeWindow(window)).toBe(
      "Trained on the 2 most bought products (18 of 30 order lines) to stay within 1536 MB.",
    );
  });

  it("cuts orders before the window and products outside the kept set", () => {
    const since = day(5);
    expect(windowed(history[4]!, since, null)).toBeNull();
    expect(windowed(history[6]!, since, null)).toBe(history[6]);
    expect(windowed(history[6]!, since, new Set(["a"]))?.items.map((i) => i.productId)).toEqual(["a"]);
    expect(windowed(history[9]!, null, new Set(["a"]))).toBeNull();
  });
});
