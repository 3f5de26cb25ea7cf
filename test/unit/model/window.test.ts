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

describe("training window by customers", () => {
  /**
   * Five customers, each last active on a different day: c0's three orders (days 0, 4, 8: nine
   * lines), c1 (day 1: two lines), c2 (days 2, 9: four lines), c3 (day 5: one line), c4 (days 3, 6:
   * six lines). By last activity: c2 (day 9), c0 (day 8), c4 (day 6), c3 (day 5), c1 (day 1).
   */
  const o = (id: string, customerId: string, d: number, n: number): HistoryOrder => ({
    orderId: id,
    customerId,
    at: day(d),
    items: Array.from({ length: n }, (_, i) => ({ productId: `${customerId}-p${i}`, quantity: 1, price: 1 })),
  });
  const shop = [
    o("a", "c0", 0, 3),
    o("b", "c1", 1, 2),
    o("c", "c2", 2, 2),
    o("d", "c4", 3, 3),
    o("e", "c0", 4, 3),
    o("f", "c3", 5, 1),
    o("g", "c4", 6, 3),
    o("h", "c0", 8, 3),
    o("i", "c2", 9, 2),
  ];
  const lines = (orders: readonly HistoryOrder[]) => orders.reduce((sum, x) => sum + x.items.length, 0);
  const cut = async (maxLines: number) => {
    const counts = countsOfOrders(() => shop, "customers");
    const { window, keep } = await chooseWindow(counts, 1_536, { maxLines, maxItems: 1_000 });
    const customers = window.since ? counts.customersActiveSince(window.since) : null;
    const kept = shop.flatMap((x) => windowed(x, null, keep, customers) ?? []);
    return { window, kept };
  };

  it("keeps everything when the whole history fits the line cap", async () => {
    const { window, kept } = await cut(22);
    expect(window).toMatchObject({
      rule: "customers",
      since: null,
      customersKept: 5,
      customersTotal: 5,
      linesKept: 22,
    });
    expect(kept).toHaveLength(shop.length);
    expect(describeWindow(window)).toBeNull();
  });

  it("keeps the most recently active customers whole, as many as the line cap allows", async () => {
    // c2 (4) + c0 (9) = 13 lines fit 15; adding c4 (6) would make 19.
    const { window, kept } = await cut(15);
    expect(window.since?.toISOString()).toBe("2026-01-08T00:00:00.000Z");
    expect(window).toMatchObject({ customersKept: 2, customersTotal: 5, linesKept: 13, linesTotal: 22 });
    // Whole histories: c0's order of day 0 and c2's of day 2 are kept with their newest ones.
    expect(kept.map((x) => x.orderId)).toEqual(["a", "c", "e", "h", "i"]);
    expect(lines(kept)).toBe(window.linesKept);
    expect(lines(kept)).toBeLessThanOrEqual(15);
    expect(describeWindow(window)).toBe(
      "Trained on the whole history of the 2 customers (of 5) last active from 2026-01-08 on (13 of 22 order lines) to stay within 1536 MB.",
    );
  });

  it("never keeps part of a customer: a cap between two customers' totals keeps the fewer", async () => {
    for (let maxLines = 4; maxLines <= 22; maxLines++) {
      const { window, kept } = await cut(maxLines);
      expect(lines(kept)).toBeLessThanOrEqual(maxLines);
      // Every kept customer has all of their orders, and no dropped customer was active later than a kept one.
      const keptIds = new Set(kept.map((x) => x.customerId));
      for (const x of shop) expect(kept.includes(x)).toBe(keptIds.has(x.customerId));
      const lastOf = (c: string) => Math.max(...shop.filter((x) => x.customerId === c).map((x) => x.at.getTime()));
      const oldestKept = Math.min(...[...keptIds].map(lastOf));
      for (const c of ["c0", "c1", "c2", "c3", "c4"]) if (!keptIds.has(c)) expect(lastOf(c)).toBeLessThan(oldestKept);
      expect(window.customersKept).toBe(keptIds.size);
    }
    // 4 lines: only c2; 19 lines: c2, c0, c4 (19) and not c3 (20) — c3's one line does not fit either.
    expect((await cut(4)).window.customersKept).toBe(1);
    expect((await cut(19)).window.customersKept).toBe(3);
    expect((await cut(20)).window.customersKept).toBe(4);
  });

  it("a day cut of the same history keeps partial customers instead", async () => {
    const { window } = await chooseWindow(
      countsOfOrders(() => shop, "days"),
      1_536,
      { maxLines: 15, maxItems: 1_000 },
    );
    expect(window.rule).toBe("days");
    expect(window.customersKept).toBeUndefined();
    // Days 4..9: 3 + 1 + 3 + 3 + 2 = 12 lines (day 3 would add 3 more: 15 fits, so days 3..9).
    expect(window.since?.toISOString()).toBe("2026-01-04T00:00:00.000Z");
    expect(describeWindow(window)).toMatch(/^Trained on orders from 2026-01-04 on/);
  });
});
